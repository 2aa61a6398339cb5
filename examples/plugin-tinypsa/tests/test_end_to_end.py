"""ncesync's own run (plan -> apply -> plan) with Dicker Data in ncesync's sandbox and the
PSA a TinyPSA emulator set up by the conformance kit: billing.md's test vectors, invoiced
the way TinyPSA invoices them.

Contoso has 12 seats of Business Premium (20.00 a seat) on a main item effective
2024-05-01; Dicker Data says 15 from the run of 2024-06-15 (TV-1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from reconciler.errors import WritesFailedError
from reconciler.plan.change import CREATE_DELTA, SET_QUANTITY
from reconciler.run.orchestrator import Orchestrator
from suite_shapes import CONTOSO, PREMIUM, TENANT

from tinypsa.kit import TinyPsaKit, TinyPsaKitPsa

JUNE, JULY = (date(2024, 6, 1), date(2024, 6, 30)), (date(2024, 7, 1), date(2024, 7, 31))


@pytest.fixture
def psa() -> Iterator[TinyPsaKitPsa]:
    opened = TinyPsaKit().open(
        Path("."),
        sandbox=None,
        clients=(CONTOSO,),
        products=(PREMIUM,),
        seats={(1001, "m365-bp"): 12},
        prorate=False,
        timezone="Australia/Sydney",
        start=date(2024, 6, 15),
    )
    yield opened
    opened.close()


def deployment(root: Path, psa: TinyPsaKitPsa, *, style: str, prorate: bool, seats: int) -> Orchestrator:
    """specs/ whose psa block is the kit's, and a sandbox world with Dicker Data's records only."""
    (root / "specs" / "clients").mkdir(parents=True)
    (root / "sandbox").mkdir()
    settings = {
        "sync": {"type": "daily", "timezone": "Australia/Sydney"},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": psa.psa_settings,
        "billing": {"style": style, "prorate": prorate},
        "sandbox": {"world": "sandbox/world.json"},
    }
    products = {
        "products": {
            PREMIUM.key: {
                "name": PREMIUM.name,
                "stock_codes": ["P1Y:CFQ7TTC0LCHC:0002"],
                "psa_product": TinyPsaKit().product_id(PREMIUM),
                "price": "20.00",
            }
        }
    }
    client = {"name": CONTOSO.name, "dd_customer_id": TENANT, "psa_company_id": 250, "agreement_id": 1001}
    (root / "specs" / "settings.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (root / "specs" / "products.yaml").write_text(yaml.safe_dump(products, sort_keys=False))
    (root / "specs" / "clients" / "contoso.yaml").write_text(yaml.safe_dump(client, sort_keys=False))
    world = {
        "dickerdata": {
            "customers": [{"TenantId": TENANT, "CompanyName": CONTOSO.name}],
            "subscriptions": [subscription(seats)],
            "invoices": [],
        },
        "connectwise": {},
        "autotask": {},
    }
    (root / "sandbox" / "world.json").write_text(json.dumps(world, indent=1))
    return Orchestrator(root, environ=psa.environ)


def subscription(seats: int) -> dict[str, Any]:
    return {
        "SubscriptionId": "sub-bp-1",
        "TenantId": TENANT,
        "CompanyName": CONTOSO.name,
        "StockCode": "P1Y:CFQ7TTC0LCHC:0002:1:",
        "StockDescription": "MS NCE M365 BUSINESS PREMIUM",
        "ConfirmedQuantity": seats,
        "Status": "ACTIVE",
        "BillingFrequency": "Monthly",
        "UnitPrice": "15.00",
        "UnitRRP": "20.00",
        "LastBillingDate": "2024-06-01",
        "NextBillingDate": "2024-07-01",
        "ExpiryDate": "2025-04-30",
    }


def set_seats(root: Path, seats: int) -> None:
    """Dicker Data's count from now on (the sandbox's working copy of the world)."""
    path = root / ".ncesync" / "world.json"
    world = json.loads(path.read_text())
    world["dickerdata"]["subscriptions"][0]["ConfirmedQuantity"] = seats
    path.write_text(json.dumps(world, indent=1))


def run_on(run: Orchestrator, psa: TinyPsaKitPsa, day: date) -> list[str]:
    """apply on `day` (TinyPSA's today too); the actions written."""
    psa.set_today(day)
    applied = run.apply(sync_date=day)
    applied.check()
    return [c.action for c in applied.plan.changes]


@pytest.mark.parametrize(
    ("style", "prorate", "action", "june", "july"),
    [
        ("advance", False, SET_QUANTITY, "240.00", "300.00"),
        ("advance", True, CREATE_DELTA, "272.00", "300.00"),  # the 32.00 catch-up counted with June
        ("arrears", False, SET_QUANTITY, "300.00", "300.00"),
        ("arrears", True, CREATE_DELTA, "272.00", "300.00"),
    ],
)
def test_tv1_three_more_seats_seen_on_the_15th(
    tmp_path: Path, psa: TinyPsaKitPsa, style: str, prorate: bool, action: str, june: str, july: str
) -> None:
    run = deployment(tmp_path, psa, style=style, prorate=prorate, seats=15)
    assert run_on(run, psa, date(2024, 6, 15)) == [action]
    assert psa.count_on(1001, "M365-BP", date(2024, 6, 15)) == 15
    psa.set_today(date(2024, 6, 16))
    again = run.plan(sync_date=date(2024, 6, 16)).plan
    assert (again.changes, again.errors, again.refusals) == ((), (), ())  # the next night writes nothing
    invoices = [psa.invoice(1001, "M365-BP", period, style=style, prorate=prorate) for period in (JUNE, JULY)]
    assert invoices == [Decimal(june), Decimal(july)]


def test_tv4_two_changes_in_one_period_compose_day_by_day(tmp_path: Path, psa: TinyPsaKitPsa) -> None:
    run = deployment(tmp_path, psa, style="arrears", prorate=True, seats=15)
    assert run_on(run, psa, date(2024, 6, 10)) == [CREATE_DELTA]
    set_seats(tmp_path, 13)
    assert run_on(run, psa, date(2024, 6, 20)) == [CREATE_DELTA]
    assert psa.invoice(1001, "M365-BP", JUNE, style="arrears", prorate=True) == Decimal("267.33")
    assert psa.invoice(1001, "M365-BP", JULY, style="arrears", prorate=True) == Decimal("260.00")


def test_a_write_tinypsa_refuses_is_reported_and_made_by_the_next_run(tmp_path: Path, psa: TinyPsaKitPsa) -> None:
    run = deployment(tmp_path, psa, style="advance", prorate=False, seats=15)
    psa.fail_write(1)
    with pytest.raises(WritesFailedError):
        run_on(run, psa, date(2024, 6, 15))
    assert psa.count_on(1001, "M365-BP", date(2024, 6, 15)) == 12
    assert run_on(run, psa, date(2024, 6, 15)) == [SET_QUANTITY]
    assert psa.count_on(1001, "M365-BP", date(2024, 6, 15)) == 15


def test_in_advance_a_change_first_seen_on_a_periods_first_day_is_billed_from_the_next(
    tmp_path: Path, psa: TinyPsaKitPsa
) -> None:
    run = deployment(tmp_path, psa, style="advance", prorate=False, seats=12)
    assert run_on(run, psa, date(2024, 6, 30)) == []
    set_seats(tmp_path, 15)
    assert run_on(run, psa, date(2024, 7, 1)) == [SET_QUANTITY]
    august = (date(2024, 8, 1), date(2024, 8, 31))
    invoices = [psa.invoice(1001, "M365-BP", period, style="advance", prorate=False) for period in (JULY, august)]
    assert invoices == [Decimal("240.00"), Decimal("300.00")]  # July was invoiced before that night's sync
