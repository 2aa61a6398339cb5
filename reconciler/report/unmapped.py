"""What Dicker Data bills that the specs do not map (billing.md section 5, unmapped report).

The plan already finds the unmapped items (`Plan.unmapped`); this module only adds them up
per customer and per stock code and sets them against the seats Dicker Data bills, so the
report and the plan can never disagree about what is unmapped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reconciler.model import Inventory
from reconciler.plan.plan import Plan


@dataclass(frozen=True)
class UnmappedCustomer:
    """A Dicker Data customer without a client mapping."""

    tenant_id: str
    name: str
    seats: int
    monthly_cost: Decimal = Decimal("0.00")  # Dicker Data's charge for these seats, unbilled


@dataclass(frozen=True)
class UnmappedStockCode:
    """A stock code of a mapped client's subscriptions that no product mapping names."""

    tenant_id: str
    client_name: str
    stock_code: str
    seats: int
    subscriptions: int
    monthly_cost: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class UnmappedReport:
    """Unmapped items and the share of billed seats that the sync keeps in step.

    `billed_seats` are the active seats of every Dicker Data subscription; `mapped_seats` the
    seats of mapped licences of active client mappings. What is neither mapped nor unmapped
    is left out on purpose: inactive client mappings, excluded stock codes, trials.
    """

    sync_date: str
    customers: tuple[UnmappedCustomer, ...]
    stock_codes: tuple[UnmappedStockCode, ...]
    billed_seats: int
    mapped_seats: int

    @property
    def unmapped_seats(self) -> int:
        return sum(c.seats for c in self.customers) + sum(s.seats for s in self.stock_codes)

    @property
    def monthly_cost(self) -> Decimal:
        """What the unmapped seats cost at Dicker Data a month: the money leaking."""
        rows: list[UnmappedCustomer | UnmappedStockCode] = [*self.customers, *self.stock_codes]
        return sum((row.monthly_cost for row in rows), Decimal("0.00"))

    @property
    def excluded_seats(self) -> int:
        return max(0, self.billed_seats - self.mapped_seats - self.unmapped_seats)

    @property
    def mapped_share(self) -> Decimal | None:
        """Mapped seats as a percentage of billed seats (one decimal); None when nothing is billed."""
        if self.billed_seats == 0:
            return None
        share = Decimal(self.mapped_seats) * 100 / Decimal(self.billed_seats)
        return share.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def is_empty(self) -> bool:
        return not (self.customers or self.stock_codes)

    def to_json(self) -> dict[str, Any]:
        share = self.mapped_share
        return {
            "sync_date": self.sync_date,
            "billed_seats": self.billed_seats,
            "mapped_seats": self.mapped_seats,
            "unmapped_seats": self.unmapped_seats,
            "excluded_seats": self.excluded_seats,
            "mapped_share_percent": None if share is None else str(share),
            "unmapped_monthly_cost": str(self.monthly_cost),
            "customers": [_money_json(c.__dict__) for c in self.customers],
            "stock_codes": [_money_json(s.__dict__) for s in self.stock_codes],
        }


def _money_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def unmapped_report(plan: Plan, inventory: Inventory) -> UnmappedReport:
    """Sum up `plan.unmapped` (from a full-run plan) against `inventory`'s active seats."""
    customers = tuple(
        UnmappedCustomer(u.tenant_id, u.name, u.seats, _cost(u.monthly_cost))
        for u in sorted(plan.unmapped, key=lambda u: (-_cost(u.monthly_cost), -u.seats, u.name.lower(), u.tenant_id))
        if u.kind == "customer"
    )
    return UnmappedReport(
        sync_date=plan.sync_date,
        customers=customers,
        stock_codes=_stock_codes(plan),
        billed_seats=sum(s.quantity for s in inventory.subscriptions if s.is_active),
        mapped_seats=sum(c.seats_dicker_data for c in plan.clients.values()),
    )


def _cost(text: str | None) -> Decimal:
    return Decimal(text or "0.00")


def _stock_codes(plan: Plan) -> tuple[UnmappedStockCode, ...]:
    found: dict[tuple[str, str, str], list[tuple[int, Decimal]]] = defaultdict(list)
    for u in plan.unmapped:
        if u.kind == "stock_code" and u.stock_code is not None:
            found[(u.tenant_id, u.name, u.stock_code)].append((u.seats, _cost(u.monthly_cost)))
    rows = [
        UnmappedStockCode(
            tenant, name, code, sum(s for s, _ in items), len(items), sum((c for _, c in items), Decimal("0.00"))
        )
        for (tenant, name, code), items in found.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.monthly_cost, -r.seats, r.client_name.lower(), r.stock_code)))
