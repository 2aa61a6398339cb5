"""Xero's catch-ups end to end, each expected amount computed here from billing.md 3.1
alone: (n - q) * p * (days from the change to the period's end) / (days in the period) in
advance, the days before the change taken back in arrears.

* A repeating invoice on the 31st: Xero shows its dates moved to short months' last days
  (29 February, 30 April), and the periods must still start on the 31st (billing.md:
  periods are anchored on the agreement's billing day; docs/billing-rules.md: the 31st is
  29 February in February).
* Counts that come back the same day (12 -> 15 -> 12 -> 15): each change is settled, so the
  day's catch-ups add up to the one change that stays.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from providers.sandbox.generator import generate
from providers.sandbox.vendor_dates import xero_date
from providers.xero.mapping import schedule_day
from tests.e2e.worlds import edit_working_world

STOCK_CODE = "P1M:CFQ7TTC0LH04:0001"  # 12 seats at 24.60 on the first repeating invoice (seed 3)


def _catch_up(seats: int, price: str, sync: date, period: tuple[date, date], *, style: str) -> Decimal:
    """billing.md 3.1: advance bills the rest of the period from the change's day, arrears
    takes back the days before it (the period's invoice comes at its end at the new count)."""
    start, end = period
    days = (end - start).days + 1
    share = Decimal((end - sync).days + 1) if style == "advance" else -Decimal((sync - start).days)
    return (Decimal(seats) * Decimal(price) * share / days).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("style", "first", "next_invoice", "sync", "period"),
    [
        ("advance", date(2024, 1, 31), date(2024, 2, 29), date(2024, 2, 15), (date(2024, 1, 31), date(2024, 2, 28))),
        ("arrears", date(2024, 1, 31), date(2024, 2, 29), date(2024, 2, 15), (date(2024, 1, 31), date(2024, 2, 28))),
        ("advance", date(2023, 12, 31), date(2024, 4, 30), date(2024, 4, 10), (date(2024, 3, 31), date(2024, 4, 29))),
    ],
    ids=["advance-february", "arrears-february", "advance-april"],
)
def test_a_schedule_on_the_31st_bills_periods_from_the_31st(
    run, style: str, first: date, next_invoice: date, sync: date, period: tuple[date, date]
) -> None:
    generate(run.root, clients=2, seed=3, psa="xero", style=style, prorate=True, today=sync)
    run("sandbox", "reset")

    def schedule_on_the_31st(world: dict) -> None:
        for subscription in world["dickerdata"]["subscriptions"]:
            if subscription["StockCode"] == STOCK_CODE:
                subscription["ConfirmedQuantity"] = 15  # 12 -> 15
        for template in world["xero"]["repeatingInvoices"]:
            template["Schedule"].update(
                StartDate=xero_date(first), NextScheduledDate=xero_date(next_invoice), _anchorDay=31
            )

    edit_working_world(run.root, schedule_on_the_31st)
    code, out = run("plan", "--date", sync.isoformat(), "--format", "json")
    assert code == 0, out
    charges = [c for c in json.loads(run.stdout)["changes"] if c["action"] == "create_charge"]
    assert [Decimal(c["one_off"]) for c in charges] == [_catch_up(3, "24.60", sync, period, style=style)], charges


def test_the_schedule_day_is_read_from_the_dates_xero_shows() -> None:
    assert schedule_day(date(2024, 2, 29), date(2024, 1, 31)) == 31  # the start shows the day
    assert schedule_day(date(2024, 4, 30), date(2023, 12, 31)) == 31
    assert schedule_day(date(2024, 3, 31), date(2024, 2, 29)) == 31  # the next date shows it
    assert schedule_day(date(2024, 3, 15), None) == 15
    assert schedule_day(date(2024, 6, 30), date(2024, 5, 30)) == 30  # 30 May is not a month's end
    assert schedule_day(date(2024, 4, 30), None) == 30
    # both on short months' ends: the day is 29, 30 or 31 and Xero's answer cannot say which
    assert schedule_day(date(2024, 2, 29), date(2024, 2, 29)) == 29


def test_counts_that_come_back_the_same_day_leave_the_catch_up_of_the_change_that_stays(run) -> None:
    generate(run.root, clients=2, seed=3, psa="xero", style="advance", prorate=True, today=date(2024, 6, 15))
    run("sandbox", "reset")
    for seats in (15, 12, 15):

        def count(world: dict, seats: int = seats) -> None:
            for subscription in world["dickerdata"]["subscriptions"]:
                if subscription["StockCode"] == STOCK_CODE:
                    subscription["ConfirmedQuantity"] = seats

        edit_working_world(run.root, count)
        code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
        assert code == 0, out
    world = json.loads((run.root / ".ncesync" / "world.json").read_text())["xero"]
    charged = sum(
        Decimal(str(line["LineAmount"]))
        for invoice in world["invoices"]
        if invoice.get("_createdBy") and invoice["Status"] == "DRAFT"
        for line in invoice["LineItems"]
        if "catch-up/2024-06-15/" in line.get("Description", "")
    )
    june = (date(2024, 6, 1), date(2024, 6, 30))
    assert charged == _catch_up(3, "24.60", date(2024, 6, 15), june, style="advance") == Decimal("39.36")
    code, out = run("plan", "--date", "2024-06-15", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out
