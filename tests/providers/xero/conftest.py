"""A running sandbox holding the conformance kit's Xero organisation: three contacts, each
with a monthly repeating invoice (its licence lines and a line ncesync does not manage)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from providers.sandbox import SandboxServer
from providers.xero.provider import XeroProvider
from reconciler.model import ProviderConfig, Scope
from reconciler.provider import ProviderContext
from tests.conformance.xero_kit import XeroKit, XeroPsa
from tests.simulation.scenario import CLIENTS, PRODUCTS, write_world

TODAY = date(2024, 6, 15)
KIT = XeroKit()
CONTOSO, FABRIKAM, NORTHWIND = (c.kit for c in CLIENTS)
PRODUCT_IDS = frozenset(KIT.product_id(p.kit) for p in PRODUCTS)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    server = SandboxServer(write_world(tmp_path), clock=TODAY).start()
    server.kit_psa = KIT.open(
        tmp_path,
        sandbox=server,
        clients=tuple(c.kit for c in CLIENTS),  # type: ignore[attr-defined]
        products=tuple(p.kit for p in PRODUCTS),
        seats={(c.agreement_id, k): n for c in CLIENTS for k, n in c.seats.items()},
        prorate=False,
        timezone="Pacific/Auckland",
        start=date(2024, 6, 1),
    )
    yield server
    server.stop()


@pytest.fixture
def provider(sandbox: SandboxServer, tmp_path: Path) -> XeroProvider:
    return provider_for(sandbox, tmp_path)


def provider_for(sandbox: SandboxServer, root: Path, **options: Any) -> XeroProvider:
    context = ProviderContext(str(root), "Pacific/Auckland", sandbox_url=sandbox.url)
    return XeroProvider.from_config(ProviderConfig("xero", "sandbox", options), context)


def scope(*clients: Any) -> Scope:
    chosen = clients or (CONTOSO, FABRIKAM, NORTHWIND)
    return Scope(
        TODAY,
        company_ids=frozenset(KIT.psa_ids(c)[0] for c in chosen),
        agreement_ids=frozenset(KIT.psa_ids(c)[1] for c in chosen),
        product_ids=PRODUCT_IDS,
    )


def kit_psa(sandbox: SandboxServer) -> XeroPsa:
    return sandbox.kit_psa  # type: ignore[attr-defined, no-any-return]


def template(sandbox: SandboxServer, client: Any) -> dict[str, Any]:
    wanted = KIT.psa_ids(client)[1]
    return next(t for t in sandbox.world()["xero"]["repeatingInvoices"] if t["RepeatingInvoiceID"] == wanted)
