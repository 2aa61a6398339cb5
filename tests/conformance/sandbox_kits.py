"""Conformance kits for the providers ncesync ships, whose PSAs the sandbox emulates: the
PSA's records go into the running sandbox's world, and are read back from it directly (not
through the provider under test).

ConnectWise bills its additions: without proration the quantity of the lines in force on the
period's first day (advance, as known before that day's sync) or last day (arrears, after
it); with proration each line day-weighted. Autotask bills a contract service's unit rows
day-weighted, each row rounded to cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from providers.sandbox.contract_units import contract_periods
from providers.sandbox.faults import Fault
from tests.conformance.kit import KitClient, KitProduct
from tests.simulation.rules import weighted

ONE_DAY = timedelta(days=1)


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None  # the world keeps local dates


@dataclass
class SandboxPsa:
    """A PSA the running sandbox emulates (its world's `psa` section)."""

    psa: str
    sandbox: Any  # SandboxServer
    psa_settings: dict[str, Any]
    environ: dict[str, str] = field(default_factory=dict)

    def set_today(self, day: date) -> None:
        self.sandbox.clock = day

    def fail_write(self, index: int) -> None:
        self.sandbox.faults.add(
            Fault(kind="status", status=500, vendor=self.psa, write_index=self.sandbox.writes + index)
        )

    def close(self) -> None:
        """The sandbox belongs to the suite, which stops it."""

    # -- reading the records back ----------------------------------------------------------

    def count_on(self, agreement_id: int, product_id: str, day: date) -> int:
        if self.psa == "autotask":
            return sum(units for start, end, units, _ in self._rows(agreement_id, product_id) if start <= day <= end)
        return sum(_quantity(a, None) for a in self._additions(agreement_id, product_id) if _active(a, day))

    def invoice(
        self, agreement_id: int, product_id: str, period: tuple[date, date], *, style: str, prorate: bool
    ) -> Decimal:
        if self.psa == "autotask":
            return sum(
                (
                    weighted(units, price, (min(end, period[1]) - max(start, period[0])).days + 1, period)
                    for start, end, units, price in self._rows(agreement_id, product_id)
                    if start <= period[1] and end >= period[0]
                ),
                Decimal("0.00"),
            )
        additions = self._additions(agreement_id, product_id)
        if not prorate:
            # advance: invoiced on the first day before that night's sync; arrears: after the last day's
            day, known = (period[0], period[0] - ONE_DAY) if style == "advance" else (period[1], period[1])
            return sum(
                (_quantity(a, known) * Decimal(str(a["unitPrice"])) for a in additions if _active(a, day)),
                Decimal("0.00"),
            )
        total = Decimal("0.00")
        for a in additions:
            start = max(_day(a["effectiveDate"]) or period[0], period[0])
            end = min(_day(a.get("cancelledDate")) or period[1], period[1])
            if start <= end:
                total += weighted(_quantity(a, None), Decimal(str(a["unitPrice"])), (end - start).days + 1, period)
        return total

    def _rows(self, agreement_id: int, product_id: str) -> list[tuple[date, date, int, Decimal]]:
        service = int(product_id)
        return self.sandbox.records(
            self.psa,
            "contractServiceUnits",
            lambda r: r["contractID"] == agreement_id and r["serviceID"] == service,
            lambda r: (_day(r["startDate"]), _day(r["endDate"]), int(r["units"]), Decimal(str(r["price"]))),
        )

    def _additions(self, agreement_id: int, product_id: str) -> list[dict[str, Any]]:
        return self.sandbox.records(
            self.psa,
            "additions",
            lambda a: a["agreementId"] == agreement_id and a["product"]["identifier"] == product_id,
        )


def _active(addition: dict[str, Any], day: date) -> bool:
    start, end = _day(addition["effectiveDate"]), _day(addition.get("cancelledDate"))
    return (start is None or start <= day) and (end is None or day <= end)


def _quantity(addition: dict[str, Any], known_on: date | None) -> int:
    """The quantity as it stood at the end of `known_on` (None: now)."""
    if known_on is None or not addition.get("_history"):
        return int(addition["quantity"])
    history = [h for h in addition["_history"] if date.fromisoformat(h["recordedOn"]) <= known_on]
    return int(history[-1]["quantity"]) if history else 0


# -- the kits --------------------------------------------------------------------------


class ConnectWiseKit:
    provider = "connectwise"

    def product_id(self, product: KitProduct) -> str:
        return product.key.upper()

    def open(
        self,
        root: Path,
        *,
        sandbox: Any,
        clients: tuple[KitClient, ...],
        products: tuple[KitProduct, ...],
        seats: dict[tuple[int, str], int],
        prorate: bool,
        timezone: str,
        start: date,
    ) -> SandboxPsa:
        catalog = {p.key: (i + 11, self.product_id(p)) for i, p in enumerate(products)}
        with sandbox.store.lock:
            sandbox.store.data["connectwise"] = {
                "companies": [{"id": c.company_id, "identifier": f"C{c.company_id}", "name": c.name} for c in clients],
                "agreements": [_agreement(c, prorate) for c in clients],
                "additions": [
                    _addition(500 + n, c, p, catalog[p.key], seats[(c.agreement_id, p.key)])
                    for n, (c, p) in enumerate(
                        (c, p) for c in clients for p in products if (c.agreement_id, p.key) in seats
                    )
                ],
                "catalog": [
                    {
                        "id": catalog[p.key][0],
                        "identifier": catalog[p.key][1],
                        "description": p.name,
                        "customerDescription": p.name,
                        "price": float(p.price),
                        "cost": float(p.cost),
                        "subcategory": {"id": 1, "name": "Microsoft NCE"},
                        "type": {"id": 1, "name": "Licence"},
                    }
                    for p in products
                ],
            }
        settings = {"provider": "connectwise", "endpoint": "sandbox", "codebase": "v4_6_release"}
        return SandboxPsa("connectwise", sandbox, settings)


def _agreement(c: KitClient, prorate: bool) -> dict[str, Any]:
    return {
        "id": c.agreement_id,
        "name": f"{c.name} licences",
        "type": {"id": 1, "name": "Managed Services"},
        "company": {"id": c.company_id, "identifier": f"C{c.company_id}", "name": c.name},
        "contact": {"id": 1, "name": "Accounts Payable"},
        "agreementStatus": "Active",
        "prorateFlag": prorate,
        "billingCycle": {"id": 1, "name": "Monthly"},
        "startDate": f"2024-01-{c.billing_day:02d}T00:00:00Z",
        "endDate": None,
        "cancelledFlag": False,
        "noEndingDateFlag": True,
    }


def _addition(addition_id: int, c: KitClient, p: KitProduct, catalog: tuple[int, str], seats: int) -> dict[str, Any]:
    return {
        "id": addition_id,
        "agreementId": c.agreement_id,
        "product": {"id": catalog[0], "identifier": catalog[1]},
        "quantity": seats,
        "unitPrice": float(p.price),
        "unitCost": float(p.cost),
        "billCustomer": "Billable",
        "effectiveDate": f"2024-01-{c.billing_day:02d}T00:00:00Z",
        "cancelledDate": None,
        "description": p.name,
        "invoiceDescription": f"{p.name} x {seats}",
        "agreementStatus": "Active",
        "_history": [{"recordedOn": "2024-01-01", "quantity": seats}],
    }


class AutotaskKit:
    provider = "autotask"
    served = "midnight"  # how the emulated database serves date-only fields
    received = "utc_instant"

    def __init__(self, *, served: str = "midnight", received: str = "utc_instant"):
        self.served, self.received = served, received

    def product_id(self, product: KitProduct) -> str:
        return str(9000 + sum(ord(ch) for ch in product.key) % 1000)

    def open(
        self,
        root: Path,
        *,
        sandbox: Any,
        clients: tuple[KitClient, ...],
        products: tuple[KitProduct, ...],
        seats: dict[tuple[int, str], int],
        prorate: bool,
        timezone: str,
        start: date,
    ) -> SandboxPsa:
        world: dict[str, Any] = {
            "companies": [],
            "contracts": [],
            "contractServices": [],
            "contractServiceUnits": [],
            "contractServiceAdjustments": [],
            "contractCharges": [],
            "services": [
                {
                    "id": int(self.product_id(p)),
                    "name": p.name,
                    "unitPrice": float(p.price),
                    "unitCost": float(p.cost),
                    "invoiceDescription": p.name,
                    "isActive": True,
                    "periodType": 2,
                }
                for p in products
            ],
        }
        for c in clients:
            world["companies"].append({"id": c.company_id, "companyName": c.name, "isActive": True})
            contract = {
                "id": c.agreement_id,
                "companyID": c.company_id,
                "contractName": f"{c.name} - Microsoft 365",
                "contractType": 7,
                "status": 1,
                "startDate": f"2024-01-{c.billing_day:02d}T00:00:00",
                "endDate": f"2026-12-{c.billing_day - 1 or 31:02d}T00:00:00",
                "contractPeriodType": 2,
            }
            world["contracts"].append(contract)
            for p in products:
                if (c.agreement_id, p.key) in seats:
                    _contract_service(world, contract, p, int(self.product_id(p)), seats[(c.agreement_id, p.key)])
        with sandbox.store.lock:
            sandbox.store.data["autotask"] = world
            sandbox.store.data.setdefault("meta", {})["autotask_database"] = {
                "timezone": timezone,
                "served": self.served,
                "received": self.received,
            }
        return SandboxPsa("autotask", sandbox, {"provider": "autotask", "endpoint": "sandbox"})


def _contract_service(world: dict[str, Any], contract: dict[str, Any], p: KitProduct, service: int, seats: int) -> None:
    cs = {
        "id": len(world["contractServices"]) + 1,
        "contractID": contract["id"],
        "serviceID": service,
        "unitPrice": float(p.price),
        "unitCost": float(p.cost),
        "invoiceDescription": f"{p.name} x {seats}",
        "internalDescription": None,
    }
    world["contractServices"].append(cs)
    for period in contract_periods(contract, date(2025, 12, 31)):
        world["contractServiceUnits"].append(
            {
                "id": len(world["contractServiceUnits"]) + 1,
                "contractID": contract["id"],
                "contractServiceID": cs["id"],
                "serviceID": service,
                "startDate": f"{period.start.isoformat()}T00:00:00",
                "endDate": f"{period.end.isoformat()}T00:00:00",
                "units": seats,
                "price": float(p.price),
                "cost": float(p.cost),
                "approveAndPostDate": None,
            }
        )
