"""The Autotask reproduction of the money issue, end to end: a licence whose next period
already holds an adjustment (the one the previous night wrote) changes again. The second
apply must not send an adjustment onto that occupied date (Autotask would refuse it every
night until the period turns); it dates the change on the next free day, says what that
day costs, and July's invoice, computed here from the unit rows by billing.md 3.1's rule,
is the count of each day."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from providers.sandbox.generator import generate
from tests.e2e.worlds import edit_working_world, working_world
from tests.simulation.rules import weighted

TENANT = "2ecdcc0a"
STOCK = "P1M:CFQ7TTC0LH04:0001"
JULY = (date(2024, 7, 1), date(2024, 7, 31))
AUGUST = (date(2024, 8, 1), date(2024, 8, 31))


def _raise_to_42(world: dict) -> None:
    (sub,) = [
        s
        for s in world["dickerdata"]["subscriptions"]
        if s["TenantId"].startswith(TENANT) and s["StockCode"].startswith(STOCK)
    ]
    assert sub["ConfirmedQuantity"] == 40
    sub["ConfirmedQuantity"] = 42


def _invoice(world: dict, contract: int, service: int, period: tuple[date, date]) -> Decimal:
    """The period's charge from the service's unit rows, each row day-weighted and rounded."""
    total = Decimal("0.00")
    for row in world["autotask"]["contractServiceUnits"]:
        if (row["contractID"], row["serviceID"]) != (contract, service):
            continue
        start = max(date.fromisoformat(row["startDate"][:10]), period[0])
        end = min(date.fromisoformat(row["endDate"][:10]), period[1])
        if start <= end:
            total += weighted(int(row["units"]), Decimal(str(row["price"])), (end - start).days + 1, period)
    return total


def test_a_second_change_goes_to_the_next_free_day_and_says_what_it_costs(run) -> None:
    generate(run.root, clients=6, seed=11, psa="autotask", style="advance", prorate=False, today=date(2024, 6, 20))
    code, out = run("apply", "--date", "2024-06-20", "--auto-approve")
    assert code == 0, out
    edit_working_world(run.root, _raise_to_42)

    code, out = run("plan", "--date", "2024-06-21", "--format", "json")
    assert code == 0, out
    (change,) = [c for c in json.loads(run.stdout)["changes"] if c["action"] == "create_adjustment"]
    assert (change["intended_date"], change["effective_date"]) == ("2024-07-01", "2024-07-02")
    contract, service = int(change["agreement_id"]), int(change["product_id"])

    code, out = run("apply", "--date", "2024-06-21", "--auto-approve")
    assert code == 0, out
    assert "2024-07-01 stays billed at 40 seats, not 42: $1.59 less on the invoice of 2024-07-01 to 2024-07-31" in out
    journal = [json.loads(line) for line in (run.root / ".ncesync" / "journal.jsonl").read_text().splitlines()]
    moved = [e for e in journal if e.get("outcome") == "applied" and e.get("intended_date") == "2024-07-01"]
    assert [e.get("effective_date") for e in moved] == ["2024-07-02"], moved

    world = working_world(run.root)
    price = Decimal("24.60")  # the licence's price: 40 seats were 984.00 a month
    assert _invoice(world, contract, service, JULY) == weighted(40, price, 1, JULY) + weighted(42, price, 30, JULY)
    assert _invoice(world, contract, service, JULY) == Decimal("1031.61")  # 1,033.20 less the day at 40
    assert _invoice(world, contract, service, AUGUST) == Decimal("1033.20")

    code, out = run("plan", "--date", "2024-06-21", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out
