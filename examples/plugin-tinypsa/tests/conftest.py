"""A TinyPSA emulator with one company on one plan, and the provider that talks to it.

Contoso (company 250) on plan 1001, billed monthly from the 1st since 2024-01-01: 12 seats
of M365-BP on a main item effective 2024-05-01. The emulator's today is 2024-06-15.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from reconciler.model import ProviderConfig
from reconciler.provider import ProviderContext

from tinypsa.emulator import TinyPsaEmulator
from tinypsa.provider import TinyPsaProvider

TOKEN = "tiny-token-5f2c9a"
TODAY = date(2024, 6, 15)


@pytest.fixture
def emulator() -> Iterator[TinyPsaEmulator]:
    psa = TinyPsaEmulator(TOKEN, today=TODAY)
    psa.add_company(250, "Contoso Ltd")
    psa.add_plan(1001, 250, name="Contoso licences", start_date=date(2024, 1, 1))
    psa.add_catalog_item(11, "M365-BP", "Microsoft 365 Business Premium", price=Decimal("20.00"), cost=Decimal("15.00"))
    psa.add_catalog_item(12, "EXO-P1", "Exchange Online (Plan 1)", price=Decimal("6.50"), cost=Decimal("4.00"))
    psa.add_item(
        1001,
        "M365-BP",
        12,
        effective_date=date(2024, 5, 1),
        recorded_on=date(2024, 4, 30),
        invoice_text="Business Premium",
    )
    psa.start()
    yield psa
    psa.stop()


def provider_for(url: str, environ: dict[str, str] | None = None, **options: object) -> TinyPsaProvider:
    config = ProviderConfig("tinypsa", url, {"token": "env:TINYPSA_TOKEN", **options})
    context = ProviderContext(
        root=".", timezone="Australia/Sydney", environ={"TINYPSA_TOKEN": TOKEN} if environ is None else environ
    )
    return TinyPsaProvider.from_config(config, context)


@pytest.fixture
def make_provider() -> Callable[..., TinyPsaProvider]:
    """`make_provider(url, environ=None, **options)`: a provider built the way the engine
    builds it (`from_config`); the token variable is set unless `environ` says otherwise."""
    return provider_for


@pytest.fixture
def provider(emulator: TinyPsaEmulator) -> TinyPsaProvider:
    return provider_for(emulator.url)
