"""Which unit rows a read fetches: the periods a contract's billing style compares on, from
the period before t*'s to the end of t*'s period, exactly (not a row of the periods beside),
whatever the database's zone and however it reads a date sent to it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from providers.autotask.provider import AutotaskProvider
from providers.autotask.unit_window import UNREADABLE_REACH, UnitWindow, window, windows
from providers.sandbox import SandboxServer
from providers.sandbox.vendor_dates import at_datetime
from reconciler.billing.periods import add_months
from reconciler.model import ProviderConfig, Scope
from reconciler.model.specs import BillingStyle
from reconciler.provider import ProviderContext
from tests.sandbox.conftest import make_world

TODAY = date(2024, 6, 15)
ZONE = ZoneInfo("Pacific/Auckland")
ADVANCE = BillingStyle("advance", prorate=False)
ARREARS = BillingStyle("arrears", prorate=False)
PRORATE = BillingStyle("advance", prorate=True)
# A contract billing monthly on the 20th: periods May 20 - June 19 (the sync date's), and so on.
BEFORE, CURRENT, NEXT = (
    (date(2024, 4, 20), date(2024, 5, 19)),
    (date(2024, 5, 20), date(2024, 6, 19)),
    (date(2024, 6, 20), date(2024, 7, 19)),
)


def contract(start: str = "2023-11-20T00:00:00", period_type: int | None = 2) -> dict:
    return {
        "id": 7001,
        "companyID": 250,
        "contractName": "Contoso M365",
        "contractType": 7,
        "status": 1,
        "startDate": start,
        "endDate": "2026-11-19T00:00:00",
        "contractPeriodType": period_type,
    }


@pytest.mark.parametrize(
    ("style", "first", "last"),
    [
        (ADVANCE, CURRENT[0], NEXT[1]),  # t* is the next period's first day
        (PRORATE, BEFORE[0], CURRENT[1]),  # t* is the sync date
        (ARREARS, BEFORE[0], NEXT[1]),  # t* is this period's or the next one's first day
    ],
)
def test_each_style_reads_from_the_period_before_t_stars_to_the_end_of_t_stars(style, first, last) -> None:
    assert window(contract(), [style], TODAY, ZONE) == UnitWindow(first, last)


def test_a_contract_whose_style_is_not_known_reads_what_every_style_compares_on() -> None:
    assert window(contract(), None, TODAY, ZONE) == UnitWindow(BEFORE[0], NEXT[1])
    assert window(contract(), [ADVANCE, PRORATE], TODAY, ZONE) == UnitWindow(BEFORE[0], NEXT[1])


def test_a_quarterly_contract_reads_whole_quarters() -> None:
    quarterly = contract(start="2024-02-01T00:00:00", period_type=3)  # Feb-Apr, May-Jul, Aug-Oct
    assert window(quarterly, [ADVANCE], TODAY, ZONE) == UnitWindow(date(2024, 5, 1), date(2024, 10, 31))


def test_a_contract_whose_period_cannot_be_read_keeps_the_widest_window() -> None:
    found = window(contract(period_type=99), [ADVANCE], TODAY, ZONE)
    assert found == UnitWindow(TODAY - UNREADABLE_REACH, TODAY + UNREADABLE_REACH)


def test_the_monthly_sync_and_unknown_contracts_read_every_style() -> None:
    scope = Scope(
        sync_date=TODAY, agreement_ids=frozenset({7001}), with_invoices=True, billing={7001: frozenset({ADVANCE})}
    )
    assert windows([contract(), {"id": None}], scope, ZONE) == {7001: UnitWindow(BEFORE[0], NEXT[1])}


def _world(tmp_path: Path, timezone: str, served: str, received: str) -> Path:
    """The sandbox's small world, with contract 7001 billing on the 20th and one unit row a
    month from November 2023 to October 2025."""
    world = make_world()
    at = world["autotask"]
    at["contracts"][0].update(startDate="2023-11-20T00:00:00", endDate="2026-11-19T00:00:00")
    rows = []
    for k in range(24):
        start = add_months(date(2023, 11, 20), k, 20)
        end = add_months(date(2023, 11, 20), k + 1, 20) - timedelta(days=1)
        rows.append(
            {
                "id": k + 1,
                "contractID": 7001,
                "contractServiceID": 1,
                "serviceID": 9001,
                "startDate": at_datetime(start),
                "endDate": at_datetime(end),
                "units": 12,
                "price": 36.3,
                "cost": 30.25,
                "approveAndPostDate": None,
            }
        )
    at["contractServiceUnits"] = rows
    world["meta"]["autotask_database"] = {"timezone": timezone, "served": served, "received": received}
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("timezone", "served", "received"),
    [
        ("Pacific/Auckland", "utc", "utc_instant"),
        ("Pacific/Auckland", "midnight", "literal"),
        ("America/New_York", "utc", "utc_instant"),
        ("America/New_York", "utc_z", "literal"),
        ("UTC", "midnight", "utc_instant"),
    ],
)
@pytest.mark.parametrize(
    ("style", "periods"),
    [
        (ADVANCE, [CURRENT, NEXT]),
        (PRORATE, [BEFORE, CURRENT]),
        (ARREARS, [BEFORE, CURRENT, NEXT]),
    ],
)
def test_the_read_fetches_exactly_the_rows_of_the_window(
    tmp_path: Path, timezone, served, received, style, periods
) -> None:
    with SandboxServer(_world(tmp_path, timezone, served, received), clock=TODAY) as server:
        provider = AutotaskProvider.from_config(
            ProviderConfig("autotask", "sandbox", {}),
            ProviderContext(root=".", timezone=timezone, sandbox_url=server.url),
        )
        state = provider.read(
            Scope(
                sync_date=TODAY,
                company_ids=frozenset({250}),
                agreement_ids=frozenset({7001}),
                product_ids=frozenset({"9001"}),
                billing={7001: frozenset({style})},
            )
        )
    line = next(ln for ln in state.lines if ln.id == 1 and ln.kind == "main")
    assert [(s.start, s.end) for s in line.spans] == periods
    # the first period read starts on the window's first day: no row of it is taken for a creation
    assert line.dated_change_days == frozenset()
