"""What a target provider hands the conformance suite: a PSA it can set up, read back and
break, so the suite can run billing.md's vectors, the randomized simulation and the fault
cases against it without knowing anything of the PSA.

A plug-in offers a kit through the `ncesync.conformance` entry-point group (name = the
provider's entry-point name, value = a `PsaKit` object or class). The suite is written once
and parametrised over every kit installed (docs/providers.md).

The Dicker Data side is always ncesync's own sandbox; `open` gets it, so a kit whose PSA is
emulated by that same sandbox can put its records there, and any other kit ignores it and
serves its PSA on its own loopback port.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from reconciler.model.psa import PsaId


@dataclass(frozen=True)
class KitProduct:
    key: str  # the product mapping's key in products.yaml
    name: str
    price: Decimal  # the profile price (products.yaml `price`), per seat per month
    cost: Decimal = Decimal("10.00")  # what the PSA's catalogue says it costs


@dataclass(frozen=True)
class KitClient:
    name: str
    tenant: str  # Dicker Data customer id
    company_id: int  # the PSA company
    agreement_id: int  # the agreement (contract) the client's lines are on
    billing_day: int  # the agreement's periods start on this day of the month


class KitPsa(Protocol):
    """One PSA set up for a scenario, until `close`."""

    psa_settings: dict[str, Any]  # the `psa:` block of settings.yaml (provider, endpoint, ...)
    environ: dict[str, str]  # what its `env:` references resolve to

    def set_today(self, day: date) -> None:
        """The PSA's own today (what it stamps on the writes of a run on `day`)."""

    def count_on(self, agreement_id: int, product_id: str, day: date) -> int:
        """The seats the PSA bills on `day` for that product on that agreement, as it holds
        them now (0 without a line)."""

    def invoice(
        self, agreement_id: int, product_id: str, period: tuple[date, date], *, style: str, prorate: bool
    ) -> Decimal:
        """What the PSA invoices for that product and period, from its own records, the way it
        realises billing.md 3.1 (in advance: on the period's first day, before that night's
        sync; in arrears: after its last day's sync; prorated catch-ups counted with the
        period they concern)."""

    def fail_write(self, index: int) -> None:
        """Make the `index`-th write from now (1 = the next) be refused with an HTTP 500."""

    def close(self) -> None: ...


class PsaKit(Protocol):
    provider: str  # the provider's entry-point name in `ncesync.providers`

    def product_id(self, product: KitProduct) -> str:
        """The PSA's identifier of the product (products.yaml `psa_product`)."""

    # Optional: `psa_ids(client) -> (company id, agreement id)` as the PSA names them in client
    # files and plans, for a PSA whose ids are not the KitClient's numbers (Xero's UUIDs).
    # Without it the numbers are the ids. A KitPsa's methods take the KitClient's numbers.

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
    ) -> KitPsa:
        """A PSA with `clients` (company and agreement each, periods on their billing day,
        prorating when `prorate` is true and proration is the agreement's own flag),
        `products` in its catalogue, and `seats[(agreement_id, product key)]` seats on a line
        in force since before `start`, as the sync would have left it: at the product's
        price and cost, with the invoice text "{product name} x {seats}" (the suite's
        template), so that a run with nothing changed writes nothing. `sandbox` is the running ncesync sandbox (a
        SandboxServer) serving Dicker Data; `root` the deployment folder."""


def psa_ids(kit: PsaKit, client: KitClient) -> tuple[PsaId, PsaId]:
    """(company id, agreement id) of a client as its client file and the plan name them."""
    named = getattr(kit, "psa_ids", None)
    return named(client) if named is not None else (client.company_id, client.agreement_id)
