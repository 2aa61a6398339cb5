"""A small deployment for the day-by-day simulation, and the seeded Dicker Data changes.

Three clients on monthly periods (one billed from the 5th), three mapped products with
prices that do not divide into whole cents per day, and one stock code nobody maps. The PSA
starts in step with Dicker Data; from then on each day brings random changes: increases,
decreases, two edits of one subscription in a day (two runs that day), new and cancelled
subscriptions, suspensions and reactivations, trials, and purchases of the unmapped code.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from providers.sandbox.contract_units import contract_periods


@dataclass(frozen=True)
class Product:
    key: str
    name: str
    prefix: str  # TERM:PRODUCT:SKU
    stock_code: str  # as Dicker Data sends it
    identifier: str  # ConnectWise catalog identifier
    service_id: int  # Autotask service
    price: Decimal

    def psa_product(self, psa: str) -> str:
        return self.identifier if psa == "connectwise" else str(self.service_id)


PRODUCTS = (
    Product("m365-bp", "Microsoft 365 Business Premium", "P1Y:CFQ7TTC0LCHC:0002", "P1Y:CFQ7TTC0LCHC:0002:1:",
            "M365-BP", 9001, Decimal("20.00")),
    Product("exo-p1", "Exchange Online (Plan 1)", "P1Y:CFQ7TTC0LH16:0001", "P1Y:CFQ7TTC0LH16:0001:1:",
            "EXO-P1", 9002, Decimal("6.50")),
    Product("teams-ess", "Microsoft Teams Essentials", "P1M:CFQ7TTC0RL2G:0001", "P1M:CFQ7TTC0RL2G:0001",
            "TEAMS-ESS", 9003, Decimal("11.35")),
)
UNMAPPED_CODE = "P1Y:CFQ7TTC0LHRW:0001:1:"


@dataclass(frozen=True)
class Client:
    name: str
    tenant: str
    company_id: int
    agreement_id: int
    billing_day: int
    seats: dict[str, int]  # product key -> seats at the start (the PSA holds the same)


def clients(psa: str) -> tuple[Client, ...]:
    base = 1000 if psa == "connectwise" else 7000
    return (
        Client("Contoso Ltd", "11111111-0000-4000-8000-000000000001", 250, base + 1, 1, {"m365-bp": 12, "exo-p1": 5}),
        Client("Fabrikam Pty Ltd", "22222222-0000-4000-8000-000000000002", 251, base + 2, 5, {"m365-bp": 8, "teams-ess": 3}),
        Client("Northwind Traders", "33333333-0000-4000-8000-000000000003", 252, base + 3, 1, {"exo-p1": 2}),
    )


def product(key: str) -> Product:
    return next(p for p in PRODUCTS if p.key == key)


# -- the deployment ---------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    psa: str
    style: str
    prorate: bool
    timezone: str = "Australia/Sydney"
    served: str = "midnight"  # Autotask: how the sandbox database serves date-only fields
    received: str = "utc_instant"


def write_deployment(root: Path, setup: Setup) -> Path:
    """specs/ and sandbox/world.json for `setup`; returns the world file."""
    specs = root / "specs"
    (specs / "clients").mkdir(parents=True, exist_ok=True)
    psa_block: dict[str, Any] = {"provider": setup.psa, "endpoint": "sandbox"}
    settings = {
        "sync": {"type": "daily", "timezone": setup.timezone},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": psa_block,
        "billing": {"style": setup.style, "prorate": setup.prorate},
        "invoice_description": "{{ licence.name }} x {{ quantity }}",
        "safety": {"max_decrease_percent": 100, "min_seats": 1000},
        "sandbox": {"world": "sandbox/world.json"},
    }
    products = {"products": {p.key: {"name": p.name, "stock_codes": [p.prefix], "psa_product": p.psa_product(setup.psa),
                                     "price": str(p.price)} for p in PRODUCTS}}
    (specs / "settings.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (specs / "products.yaml").write_text(yaml.safe_dump(products, sort_keys=False))
    for c in clients(setup.psa):
        spec = {"name": c.name, "dd_customer_id": c.tenant, "psa_company_id": c.company_id, "agreement_id": c.agreement_id}
        (specs / "clients" / f"{c.name.split()[0].lower()}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    world = {
        "dickerdata": _dicker_data(setup.psa),
        "connectwise": _connectwise(setup) if setup.psa == "connectwise" else {},
        "autotask": _autotask(setup) if setup.psa == "autotask" else {},
        "meta": {"psa": setup.psa},
    }
    if setup.psa == "autotask":
        world["meta"]["autotask_database"] = {"timezone": setup.timezone, "served": setup.served, "received": setup.received}
    path = root / "sandbox" / "world.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(world, indent=1))
    return path


def subscription(c: Client, p: Product | None, quantity: int, sid: str, *, code: str | None = None,
                 trial: bool = False) -> dict[str, Any]:
    return {
        "SubscriptionId": sid, "TenantId": c.tenant, "CompanyName": c.name, "StockCode": code or p.stock_code,
        "StockDescription": (p.name if p else "MS NCE POWER BI PRO").upper(), "ConfirmedQuantity": quantity,
        "Status": "ACTIVE", "BillingFrequency": "Monthly", "UnitPrice": "10.00", "UnitRRP": "12.00",
        "IsTrial": trial, "LastBillingDate": "2024-01-01", "NextBillingDate": "2024-02-01", "ExpiryDate": "2026-12-31",
    }


def _dicker_data(psa: str) -> dict[str, Any]:
    subs = [subscription(c, product(key), seats, f"{c.tenant[:8]}-{key}-1")
            for c in clients(psa) for key, seats in c.seats.items()]
    return {"customers": [{"TenantId": c.tenant, "CompanyName": c.name} for c in clients(psa)],
            "subscriptions": subs, "invoices": []}


def _connectwise(setup: Setup) -> dict[str, Any]:
    additions = []
    for c in clients("connectwise"):
        for key, seats in c.seats.items():
            p = product(key)
            additions.append({
                "id": 500 + len(additions) + 1, "agreementId": c.agreement_id,
                "product": {"id": PRODUCTS.index(p) + 11, "identifier": p.identifier}, "quantity": seats,
                "unitPrice": float(p.price), "unitCost": 10.0, "billCustomer": "Billable",
                "effectiveDate": f"2024-01-{c.billing_day:02d}T00:00:00Z", "cancelledDate": None,
                "description": p.name, "invoiceDescription": f"{p.name} x {seats}", "agreementStatus": "Active",
                "_history": [{"recordedOn": "2024-01-01", "quantity": seats}],
            })
    return {
        "companies": [{"id": c.company_id, "identifier": f"C{c.company_id}", "name": c.name} for c in clients("connectwise")],
        "agreements": [{
            "id": c.agreement_id, "name": f"{c.name} licences", "type": {"id": 1, "name": "Managed Services"},
            "company": {"id": c.company_id, "identifier": f"C{c.company_id}", "name": c.name},
            "contact": {"id": 1, "name": "Accounts Payable"}, "agreementStatus": "Active", "prorateFlag": setup.prorate, "billingCycle": {"id": 1, "name": "Monthly"},
            "startDate": f"2024-01-{c.billing_day:02d}T00:00:00Z", "endDate": None, "cancelledFlag": False,
            "noEndingDateFlag": True,
        } for c in clients("connectwise")],
        "additions": additions,
        "catalog": [{"id": i + 11, "identifier": p.identifier, "description": p.name, "customerDescription": p.name,
                     "price": float(p.price), "cost": 10.0, "subcategory": {"id": 1, "name": "Microsoft NCE"},
                     "type": {"id": 1, "name": "Licence"}} for i, p in enumerate(PRODUCTS)],
    }


def _autotask(setup: Setup) -> dict[str, Any]:
    world: dict[str, Any] = {
        "companies": [], "contracts": [], "contractServices": [], "contractServiceUnits": [],
        "contractServiceAdjustments": [], "contractCharges": [],
        "services": [{"id": p.service_id, "name": p.name, "unitPrice": float(p.price), "unitCost": 10.0,
                      "invoiceDescription": p.name, "isActive": True, "periodType": 2} for p in PRODUCTS],
    }
    for c in clients("autotask"):
        world["companies"].append({"id": c.company_id, "companyName": c.name, "isActive": True})
        contract = {"id": c.agreement_id, "companyID": c.company_id, "contractName": f"{c.name} - Microsoft 365",
                    "contractType": 7, "status": 1, "startDate": f"2024-01-{c.billing_day:02d}T00:00:00",
                    "endDate": f"2026-12-{c.billing_day - 1 or 31:02d}T00:00:00", "contractPeriodType": 2}
        world["contracts"].append(contract)
        for key, seats in c.seats.items():
            p = product(key)
            cs = {"id": len(world["contractServices"]) + 1, "contractID": c.agreement_id, "serviceID": p.service_id,
                  "unitPrice": float(p.price), "unitCost": 10.0, "invoiceDescription": f"{p.name} x {seats}",
                  "internalDescription": None}
            world["contractServices"].append(cs)
            for period in contract_periods(contract, date(2025, 12, 31)):
                world["contractServiceUnits"].append({
                    "id": len(world["contractServiceUnits"]) + 1, "contractID": c.agreement_id,
                    "contractServiceID": cs["id"], "serviceID": p.service_id,
                    "startDate": f"{period.start.isoformat()}T00:00:00", "endDate": f"{period.end.isoformat()}T00:00:00",
                    "units": seats, "price": float(p.price), "cost": 10.0, "approveAndPostDate": None,
                })
    return world


# -- Dicker Data changing day by day ----------------------------------------------------


class DickerDataChanges:
    """Seeded random edits of the Dicker Data subscriptions (the sandbox's live records)."""

    def __init__(self, rng: random.Random, psa: str):
        self.rng = rng
        self.clients = clients(psa)
        self.serial = 0

    def day(self, subs: list[dict[str, Any]]) -> None:
        """Today's changes: none on some days, up to three on others."""
        for _ in range(self.rng.choice((0, 0, 1, 1, 1, 2, 3))):
            self.one(subs)

    def one(self, subs: list[dict[str, Any]]) -> str:
        kind = self.rng.choices(
            ("increase", "decrease", "new", "cancel", "suspend", "reactivate", "trial", "unmapped"),
            weights=(30, 22, 10, 6, 6, 6, 5, 5),
        )[0]
        live = [s for s in subs if s["Status"] == "ACTIVE" and not s.get("IsTrial")]
        if kind == "increase" and live:
            self.rng.choice(live)["ConfirmedQuantity"] += self.rng.randint(1, 5)
        elif kind == "decrease" and live:
            target = self.rng.choice(live)
            target["ConfirmedQuantity"] = max(1, target["ConfirmedQuantity"] - self.rng.randint(1, 4))
        elif kind == "cancel" and live:
            self.rng.choice(live)["Status"] = "CANCELLED"
        elif kind == "suspend" and live:
            self.rng.choice(live)["Status"] = "SUSPENDED"
        elif kind == "reactivate":
            held = [s for s in subs if s["Status"] == "SUSPENDED"]
            if held:
                self.rng.choice(held)["Status"] = "ACTIVE"
        elif kind in ("new", "trial", "unmapped"):
            c = self.rng.choice(self.clients)
            self.serial += 1
            p = None if kind == "unmapped" else self.rng.choice(PRODUCTS)
            subs.append(subscription(c, p, self.rng.randint(1, 6), f"{c.tenant[:8]}-new-{self.serial}",
                                     code=UNMAPPED_CODE if p is None else None, trial=kind == "trial"))
        return kind

    def second_edit(self, subs: list[dict[str, Any]]) -> None:
        """A second change of one subscription later the same day."""
        live = [s for s in subs if s["Status"] == "ACTIVE" and not s.get("IsTrial")]
        if live:
            target = self.rng.choice(live)
            target["ConfirmedQuantity"] = max(1, target["ConfirmedQuantity"] + self.rng.choice((-2, -1, 1, 2, 3)))


def window(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]
