"""Autotask dates end to end (billing.md 8): in Sydney, Auckland and UTC deployments, around
both DST changes of each, against a sandbox database that serves date-only fields at
midnight or as the UTC instant of local midnight (with and without `Z`) and reads what it
is sent either as a UTC instant or literally. Every adjustment lands on the day the plan
said, and the next plan is empty."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.conformance.sandbox_kits import AutotaskKit
from tests.e2e.worlds import edit_working_world, working_world
from tests.simulation.scenario import PRODUCTS, Setup, write_sandbox_deployment

# Sydney ends DST on 7 April and starts it on 6 October 2024; Auckland ends it on 7 April and
# starts it on 29 September. On each change day Dicker Data changes twice: the second run
# finds its day taken and dates its adjustment the next day, which it can only do if it
# reads the dates Autotask returns as the days they are.
DAYS = ("2024-04-06", "2024-04-07", "2024-09-28", "2024-09-29", "2024-10-06")
TWICE = ("2024-04-07", "2024-09-29", "2024-10-06")
LANDED = (
    "2024-04-06",
    "2024-04-07",
    "2024-04-08",
    "2024-09-28",
    "2024-09-29",
    "2024-09-30",
    "2024-10-06",
    "2024-10-07",
)
ZONES = ("Australia/Sydney", "Pacific/Auckland", "UTC")
SERVED = ("midnight", "utc", "utc_z")
CASES = [
    (zone, served, "literal" if i % 2 else "utc_instant")
    for i, (zone, served) in enumerate(itertools.product(ZONES, SERVED))
]


def _raise_contoso_premium(world: dict) -> None:
    sub = next(
        s
        for s in world["dickerdata"]["subscriptions"]
        if s["SubscriptionId"].endswith("-m365-bp-1") and s["CompanyName"] == "Contoso Ltd"
    )
    sub["ConfirmedQuantity"] += 1


@pytest.mark.parametrize(("zone", "served", "received"), CASES, ids=[f"{z}-{s}-{r}" for z, s, r in CASES])
def test_prorated_adjustments_land_on_the_sync_day_across_dst_changes(run, zone, served, received) -> None:
    kit = AutotaskKit(served=served, received=received)
    write_sandbox_deployment(run.root, Setup(kit, "advance", True, timezone=zone), date(2024, 4, 1))
    assert run("sandbox", "reset")[0] == 0  # the working copy Dicker Data is edited in
    for day in DAYS:
        edit_working_world(run.root, _raise_contoso_premium)
        code, out = run("apply", "--date", day, "--auto-approve")
        assert code == 0, out
        assert f"adjustment +1 units effective {day}" in out, out
        if day in TWICE:
            edit_working_world(run.root, _raise_contoso_premium)
            code, out = run("apply", "--date", day, "--auto-approve")
            assert code == 0, out
            following = f"{day[:8]}{int(day[8:]) + 1:02d}"
            assert f"adjustment +1 units effective {following}" in out and "already holds a dated change" in out, out
        code, out = run("plan", "--date", day, "--detailed-exitcode")
        assert code == 0 and "No changes." in out, (day, out)
    world = working_world(run.root)["autotask"]
    kept = [a["effectiveDate"] for a in world["contractServiceAdjustments"]]
    assert kept == [f"{day}T00:00:00" for day in LANDED]  # the database's own dates
    rows = sorted(
        (r["startDate"][:10], r["units"])
        for r in world["contractServiceUnits"]
        if r["contractID"] == 7001
        and r["serviceID"] == int(kit.product_id(PRODUCTS[0].kit))
        and "2024-04-01" <= r["startDate"][:10] <= "2024-10-31"
    )
    starts = dict(rows)
    for i, day in enumerate(LANDED):
        assert starts[day] == 13 + i, (day, rows)  # each day's row starts on it, one seat more
