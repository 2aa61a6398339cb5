"""A small deployment for the day-by-day simulation, and the seeded Dicker Data changes.

Three clients on monthly periods (one billed from the 5th), three mapped products with
prices that do not divide into whole cents per day, and one stock code nobody maps. The PSA
(whichever a conformance kit sets up, tests/conformance/kit.py) starts in step with Dicker
Data; from then on each day brings random changes: increases,
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

from tests.conformance.kit import KitClient, KitProduct, KitPsa, PsaKit, psa_ids


@dataclass(frozen=True)
class Product:
    kit: KitProduct  # what the PSA's kit is told
    prefix: str  # TERM:PRODUCT:SKU, as products.yaml maps it
    stock_code: str  # as Dicker Data sends it

    @property
    def key(self) -> str:
        return self.kit.key

    @property
    def name(self) -> str:
        return self.kit.name

    @property
    def price(self) -> Decimal:
        return self.kit.price


PRODUCTS = (
    Product(
        KitProduct("m365-bp", "Microsoft 365 Business Premium", Decimal("20.00")),
        "P1Y:CFQ7TTC0LCHC:0002",
        "P1Y:CFQ7TTC0LCHC:0002:1:",
    ),
    Product(
        KitProduct("exo-p1", "Exchange Online (Plan 1)", Decimal("6.50")),
        "P1Y:CFQ7TTC0LH16:0001",
        "P1Y:CFQ7TTC0LH16:0001:1:",
    ),
    Product(
        KitProduct("teams-ess", "Microsoft Teams Essentials", Decimal("11.35")),
        "P1M:CFQ7TTC0RL2G:0001",
        "P1M:CFQ7TTC0RL2G:0001",
    ),
)
UNMAPPED_CODE = "P1Y:CFQ7TTC0LHRW:0001:1:"


@dataclass(frozen=True)
class Client:
    kit: KitClient
    seats: dict[str, int]  # product key -> seats at the start (the PSA holds the same)

    @property
    def name(self) -> str:
        return self.kit.name

    @property
    def tenant(self) -> str:
        return self.kit.tenant

    @property
    def agreement_id(self) -> int:
        return self.kit.agreement_id

    @property
    def billing_day(self) -> int:
        return self.kit.billing_day


CLIENTS = (
    Client(
        KitClient("Contoso Ltd", "11111111-0000-4000-8000-000000000001", 250, 7001, 1), {"m365-bp": 12, "exo-p1": 5}
    ),
    Client(
        KitClient("Fabrikam Pty Ltd", "22222222-0000-4000-8000-000000000002", 251, 7002, 5),
        {"m365-bp": 8, "teams-ess": 3},
    ),
    Client(KitClient("Northwind Traders", "33333333-0000-4000-8000-000000000003", 252, 7003, 1), {"exo-p1": 2}),
)


def product(key: str) -> Product:
    return next(p for p in PRODUCTS if p.key == key)


# -- the deployment ---------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    kit: PsaKit
    style: str
    prorate: bool
    timezone: str = "Australia/Sydney"


def write_world(root: Path) -> Path:
    """sandbox/world.json with Dicker Data's side; the kit adds the PSA's (see `open_psa`)."""
    world = {"dickerdata": _dicker_data(), "connectwise": {}, "autotask": {}, "meta": {}}
    path = root / "sandbox" / "world.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(world, indent=1))
    return path


def open_psa(root: Path, setup: Setup, sandbox: Any, start: date) -> KitPsa:
    """The kit's PSA with the clients, products and starting seats, and the specs for it."""
    seats = {(c.agreement_id, key): n for c in CLIENTS for key, n in c.seats.items()}
    psa = setup.kit.open(
        root,
        sandbox=sandbox,
        clients=tuple(c.kit for c in CLIENTS),
        products=tuple(p.kit for p in PRODUCTS),
        seats=seats,
        prorate=setup.prorate,
        timezone=setup.timezone,
        start=start,
    )
    write_specs(root, setup, psa.psa_settings)
    return psa


def write_sandbox_deployment(root: Path, setup: Setup, start: date) -> None:
    """A deployment whose PSA the sandbox emulates, written to files for the CLI to run:
    the kit's records are put in a sandbox started for the purpose, then saved with the
    Dicker Data side in sandbox/world.json."""
    from providers.sandbox import SandboxServer

    path = write_world(root)
    server = SandboxServer(path, clock=start)
    open_psa(root, setup, server, start)
    path.write_text(json.dumps(server.world(), indent=1))


def write_specs(root: Path, setup: Setup, psa_settings: dict[str, Any]) -> None:
    specs = root / "specs"
    (specs / "clients").mkdir(parents=True, exist_ok=True)
    settings = {
        "sync": {"type": "daily", "timezone": setup.timezone},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": psa_settings,
        "billing": {"style": setup.style, "prorate": setup.prorate},
        "invoice_description": "{{ licence.name }} x {{ quantity }}",
        "safety": {"max_decrease_percent": 100, "min_seats": 1000},
        "sandbox": {"world": "sandbox/world.json"},
    }
    products = {
        "products": {
            p.key: {
                "name": p.name,
                "stock_codes": [p.prefix],
                "psa_product": setup.kit.product_id(p.kit),
                "price": str(p.price),
            }
            for p in PRODUCTS
        }
    }
    (specs / "settings.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (specs / "products.yaml").write_text(yaml.safe_dump(products, sort_keys=False))
    for c in CLIENTS:
        company, agreement = psa_ids(setup.kit, c.kit)
        spec = {"name": c.name, "dd_customer_id": c.tenant, "psa_company_id": company, "agreement_id": agreement}
        (specs / "clients" / f"{c.name.split()[0].lower()}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))


def subscription(
    c: Client, p: Product | None, quantity: int, sid: str, *, code: str | None = None, trial: bool = False
) -> dict[str, Any]:
    return {
        "SubscriptionId": sid,
        "TenantId": c.tenant,
        "CompanyName": c.name,
        "StockCode": code or p.stock_code,
        "StockDescription": (p.name if p else "MS NCE POWER BI PRO").upper(),
        "ConfirmedQuantity": quantity,
        "Status": "ACTIVE",
        "BillingFrequency": "Monthly",
        "UnitPrice": "10.00",
        "UnitRRP": "12.00",
        "IsTrial": trial,
        "LastBillingDate": "2024-01-01",
        "NextBillingDate": "2024-02-01",
        "ExpiryDate": "2026-12-31",
    }


def _dicker_data() -> dict[str, Any]:
    subs = [
        subscription(c, product(key), seats, f"{c.tenant[:8]}-{key}-1")
        for c in CLIENTS
        for key, seats in c.seats.items()
    ]
    return {
        "customers": [{"TenantId": c.tenant, "CompanyName": c.name} for c in CLIENTS],
        "subscriptions": subs,
        "invoices": [],
    }


# -- Dicker Data changing day by day ----------------------------------------------------


class DickerDataChanges:
    """Seeded random edits of the Dicker Data subscriptions (the sandbox's live records)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.clients = CLIENTS
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
            subs.append(
                subscription(
                    c,
                    p,
                    self.rng.randint(1, 6),
                    f"{c.tenant[:8]}-new-{self.serial}",
                    code=UNMAPPED_CODE if p is None else None,
                    trial=kind == "trial",
                )
            )
        return kind

    def second_edit(self, subs: list[dict[str, Any]]) -> None:
        """A second change of one subscription later the same day."""
        live = [s for s in subs if s["Status"] == "ACTIVE" and not s.get("IsTrial")]
        if live:
            target = self.rng.choice(live)
            target["ConfirmedQuantity"] = max(1, target["ConfirmedQuantity"] + self.rng.choice((-2, -1, 1, 2, 3)))


def window(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]
