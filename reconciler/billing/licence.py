"""What the billing rules decide one licence from, and the comparison they decide on.

A licence is one mapped product on one agreement (see `reconciler.model.licence`).
`LicenceInput` is what the engine hands the rules: the licence's subscriptions, the PSA's
lines and agreement, the billing style and what the target PSA can do. `Comparison` adds
the facts every decision needs (n, t*, the managed lines, E, the description to write) and
builds the Changes, so each Change carries the same identity fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.billing import reason
from reconciler.billing.description import LicenceText
from reconciler.billing.desired import not_counted, unit_cost
from reconciler.billing.periods import period_containing
from reconciler.model.inventory import Subscription
from reconciler.model.psa import MAIN, Agreement, PsaId, PsaLine
from reconciler.model.specs import ClientMapping, ProductMapping
from reconciler.money import ZERO, money_text, prorated_amount
from reconciler.plan.change import Change
from reconciler.provider import Capabilities, SeatModel, Words


@dataclass(frozen=True)
class LicenceInput:
    client: ClientMapping
    product: ProductMapping
    agreement_id: PsaId  # the agreement/contract this licence syncs to
    agreement: Agreement | None  # None when the PSA has no such agreement
    subscriptions: tuple[Subscription, ...]  # the client's subscriptions mapping to it
    lines: tuple[PsaLine, ...]  # PSA lines for (agreement, product) as read
    style: str  # "advance" | "arrears" (client override applied)
    prorate: bool  # from the agreement's flag or the setting, as the PSA's capabilities say
    capabilities: Capabilities  # what the target PSA does
    profile_price: Decimal  # product.price or the PSA catalogue price
    catalog_id: PsaId | None  # the PSA's record id of the product
    invoice_description: LicenceText | None  # the template bound to n; None = do not manage
    sync_date: date
    follow_cost: bool = True  # settings `unit_cost: follow`: the line's cost tracks Dicker Data's

    @property
    def seat_model(self) -> SeatModel:
        return self.capabilities.seat_model_for(self.prorate)

    @property
    def words(self) -> Words:
        return self.capabilities.words

    @property
    def description_limit(self) -> int:
        return self.capabilities.description_limit


@dataclass(frozen=True)
class Comparison:
    """Dicker Data's count n against the PSA's E at t*, with the facts every decision on
    one licence needs, computed once."""

    item: LicenceInput
    desired: int
    when: date  # the day a dated change is written on: t*, or the next free day after it
    managed: tuple[PsaLine, ...]
    description: str | None
    compare_on: date | None = None  # the day E is read on, when not `when` (a moved change)

    @property
    def count_day(self) -> date:
        return self.compare_on or self.when

    @property
    def current(self) -> int:
        return sum(line.units_on(self.count_day) for line in self.managed)

    @property
    def cost(self) -> Decimal:
        return unit_cost(self.item.subscriptions, count_trials=self.item.product.count_trials)

    def label(self) -> str:
        i = self.item
        return (
            f"client {i.client.name} ({i.client.dd_customer_id}), "
            f"{i.words.agreement} {i.agreement_id}, "
            f"product {i.product.psa_product} ({i.product.key})"
        )

    def one_off(self, seats: int) -> str:
        """The prorated amount of `seats` from t* to the end of its period (prorate only)."""
        return money_text(self.prorated(seats, self.item.profile_price))

    def prorated(self, seats: int, unit_price: Decimal) -> Decimal:
        """`seats` at `unit_price` from t* to the end of its period; zero without proration."""
        if not self.item.prorate:
            return ZERO
        period = period_containing(self.item.agreement, self.when)
        return prorated_amount(seats, unit_price, self.when, period)

    def change(self, action: str, **fields: Any) -> Change:
        i = self.item
        fields.setdefault("line_kind", MAIN)
        return Change(
            action=action,
            client_id=i.client.dd_customer_id,
            client_name=i.client.name,
            agreement_id=i.agreement_id,
            product_id=i.product.psa_product,
            product_key=i.product.key,
            effective_date=self.when.isoformat(),
            **fields,
        )

    def new_line_fields(self, quantity: int) -> dict[str, Any]:
        """`after` of a write that creates a line, a delta or an adjustment."""
        after: dict[str, Any] = {
            "quantity": quantity,
            "unit_price": money_text(self.item.profile_price),
            "unit_cost": money_text(self.cost),
            "effective_date": self.when.isoformat(),
            "catalog_id": self.item.catalog_id,
        }
        if self.description is not None:
            after["invoice_description"] = self.description
        return after

    def count_reason(self) -> str:
        i = self.item
        dropped = not_counted(i.subscriptions, count_trials=i.product.count_trials)
        return reason.counts(i.words, self.desired, self.current, self.count_day, dropped)
