"""TinyPSA's conformance kit: a TinyPSA the suite can set up, read back and break.

It implements the protocol of ncesync's `tests/conformance/kit.py` (`PsaKit`, `KitPsa`),
found through the `ncesync.conformance` entry point. Its shape is copied here, not
imported: a plug-in does not import ncesync's tests. The suite's Dicker Data side runs in
ncesync's own sandbox; TinyPSA is served by its emulator on a loopback port of its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from reconciler.billing.periods import add_months, period_containing
from reconciler.model import Agreement

from tinypsa import invoicing
from tinypsa.emulator import TinyPsaEmulator

TOKEN_VARIABLE = "TINYPSA_TOKEN"


class Client(Protocol):
    """The suite's KitClient, as far as the kit reads it."""

    name: str
    tenant: str
    company_id: int
    agreement_id: int
    billing_day: int


class Product(Protocol):
    """The suite's KitProduct, as far as the kit reads it."""

    key: str
    name: str
    price: Decimal
    cost: Decimal


@dataclass
class TinyPsaKitPsa:
    """One running TinyPSA, set up for a scenario, until `close`."""

    emulator: TinyPsaEmulator
    psa_settings: dict[str, Any] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)

    def set_today(self, day: date) -> None:
        self.emulator.set_today(day)

    def count_on(self, agreement_id: int, product_id: str, day: date) -> int:
        return sum(item.units_on(day) for item in self.emulator.items_of(agreement_id, product_id))

    def invoice(
        self, agreement_id: int, product_id: str, period: tuple[date, date], *, style: str, prorate: bool
    ) -> Decimal:
        items = self.emulator.items_of(agreement_id, product_id)
        return invoicing.invoice(items, period, style=style, prorate=prorate)

    def fail_write(self, index: int) -> None:
        self.emulator.fail_write(index)

    def close(self) -> None:
        self.emulator.stop()


class TinyPsaKit:
    provider = "tinypsa"

    def product_id(self, product: Product) -> str:
        """TinyPSA's catalog code of the product: its key in capitals (`m365-bp` -> `M365-BP`)."""
        return product.key.upper()

    def open(
        self,
        root: Path,
        *,
        sandbox: Any,
        clients: tuple[Client, ...],
        products: tuple[Product, ...],
        seats: dict[tuple[int, str], int],
        prorate: bool,
        timezone: str,
        start: date,
    ) -> TinyPsaKitPsa:
        """TinyPSA with a company and a plan per client, the products in its catalogue and
        each `seats[(plan, product key)]` on a main item effective a period before `start`
        (recorded the day before that). `sandbox` is not used: TinyPSA is not in it.
        Proration is a deployment setting for TinyPSA (`billing.prorate`), not a plan's flag,
        so `prorate` changes nothing here; dates are calendar dates, so neither does `timezone`."""
        emulator = TinyPsaEmulator(secrets.token_urlsafe(24), today=start)
        for number, product in enumerate(products, start=1):
            emulator.add_catalog_item(
                100 + number, self.product_id(product), product.name, price=product.price, cost=product.cost
            )
        lines_from = {}  # plan -> when its initial items take effect: a period before start's
        for client in clients:
            current = _period_start(client.billing_day, start)
            emulator.add_company(client.company_id, client.name)
            emulator.add_plan(
                client.agreement_id,
                client.company_id,
                name=f"{client.name} licences",
                billing_day=client.billing_day,
                start_date=add_months(current, -12, client.billing_day),
            )
            lines_from[client.agreement_id] = add_months(current, -1, client.billing_day)
        by_key = {p.key: p for p in products}
        for (plan_id, key), count in sorted(seats.items()):
            if count:
                emulator.add_item(
                    plan_id,
                    self.product_id(by_key[key]),
                    count,
                    effective_date=lines_from[plan_id],
                    recorded_on=lines_from[plan_id] - timedelta(days=1),
                    invoice_text=f"{by_key[key].name} x {count}",  # what the suite's template renders
                )
        url = emulator.start()
        return TinyPsaKitPsa(
            emulator,
            psa_settings={"provider": self.provider, "endpoint": url, "token": f"env:{TOKEN_VARIABLE}"},
            environ={TOKEN_VARIABLE: emulator.token},
        )


def _period_start(billing_day: int, day: date) -> date:
    """The first day of the monthly period, billed from `billing_day`, that contains `day`."""
    return period_containing(Agreement(0, 0, "", "Active", billing_day=billing_day), day)[0]
