"""The conformance kit sets up the TinyPSA the suite asks for, and is found the way the
suite finds kits (the `ncesync.conformance` entry point)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

from reconciler.model import ProviderConfig, Scope
from reconciler.provider import ProviderContext
from reconciler.run.plugins import provider_class
from suite_shapes import CONTOSO, PREMIUM, KitClient, KitProduct

from tinypsa.kit import TinyPsaKit

FABRIKAM = KitClient("Fabrikam Pty Ltd", "22222222-0000-4000-8000-000000000002", 251, 1002, 5)
EXCHANGE = KitProduct("exo-p1", "Exchange Online (Plan 1)", Decimal("6.50"))


def test_the_suite_finds_the_kit_and_the_provider_by_the_providers_name() -> None:
    (kit,) = [ep for ep in entry_points(group="ncesync.conformance") if ep.name == "tinypsa"]
    assert kit.load() is TinyPsaKit
    assert provider_class(TinyPsaKit.provider).name == "tinypsa"


def test_open_sets_up_each_client_plan_product_and_line_in_force_before_start() -> None:
    kit = TinyPsaKit()
    seats = {(1001, "m365-bp"): 12, (1002, "m365-bp"): 0, (1002, "exo-p1"): 3}
    psa = kit.open(
        Path("."),
        sandbox=None,
        clients=(CONTOSO, FABRIKAM),
        products=(PREMIUM, EXCHANGE),
        seats=seats,
        prorate=True,
        timezone="Australia/Sydney",
        start=date(2024, 6, 15),
    )
    try:
        assert psa.psa_settings == {"provider": "tinypsa", "endpoint": psa.emulator.url, "token": "env:TINYPSA_TOKEN"}
        config = ProviderConfig("tinypsa", psa.psa_settings["endpoint"], {"token": psa.psa_settings["token"]})
        provider = provider_class("tinypsa").from_config(config, ProviderContext(".", "UTC", environ=psa.environ))
        state = provider.read(
            Scope(
                date(2024, 6, 15),
                company_ids=frozenset({250, 251}),
                agreement_ids=frozenset({1001, 1002}),
                product_ids=frozenset({"M365-BP", "EXO-P1"}),
            )
        )
        assert {a.id: (a.billing_day, a.is_active) for a in state.agreements.values()} == {
            1001: (1, True),
            1002: (5, True),
        }
        assert [(ln.agreement_id, ln.product_id, ln.effective_date) for ln in state.lines] == [
            (1001, "M365-BP", date(2024, 5, 1)),  # a whole period before the one `start` is in
            (1002, "EXO-P1", date(2024, 5, 5)),
        ]
        assert state.catalog["EXO-P1"].price == Decimal("6.50") and state.catalog["EXO-P1"].cost == Decimal("10.00")
        counts = [
            psa.count_on(plan, code, day)
            for plan, code, day in (
                (1001, "M365-BP", date(2024, 6, 15)),
                (1002, "M365-BP", date(2024, 6, 15)),
                (1002, "EXO-P1", date(2024, 6, 15)),
                (1002, "EXO-P1", date(2024, 5, 4)),
            )
        ]
        assert counts == [12, 0, 3, 0]
        assert psa.invoice(
            1002, "EXO-P1", (date(2024, 6, 5), date(2024, 7, 4)), style="advance", prorate=False
        ) == Decimal("19.50")
    finally:
        psa.close()
