"""billing.md TV-1 on Autotask, end to end: CLI -> Autotask provider -> sandbox adjustments ->
unit rows -> invoice simulation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from providers.sandbox.invoicing import autotask_invoice
from tests.e2e.worlds import autotask_world, working_world, write_autotask_deployment

JUNE = (date(2024, 6, 1), date(2024, 6, 30))
JULY = (date(2024, 7, 1), date(2024, 7, 31))


def adjustments(root) -> list[tuple[int, str]]:
    return [
        (a["unitChange"], a["effectiveDate"][:10])
        for a in working_world(root)["autotask"]["contractServiceAdjustments"]
    ]


def invoices(root, style: str, prorate: bool) -> tuple[Decimal, Decimal]:
    world = working_world(root)
    return (
        autotask_invoice(world, 7001, JUNE, style=style, prorate=prorate),
        autotask_invoice(world, 7001, JULY, style=style, prorate=prorate),
    )


@pytest.mark.parametrize(
    ("style", "prorate", "june_posted", "effective", "june", "july"),
    [
        ("advance", True, False, "2024-06-15", "272.00", "300.00"),
        ("arrears", True, False, "2024-06-15", "272.00", "300.00"),
        ("advance", False, False, "2024-07-01", "240.00", "300.00"),
        ("arrears", False, False, "2024-06-01", "300.00", "300.00"),
        ("arrears", False, True, "2024-07-01", "240.00", "300.00"),
    ],
    ids=["prorate-advance", "prorate-arrears", "advance-no-prorate", "arrears-june-open", "arrears-june-posted"],
)
def test_tv1_increase_of_three_seen_on_june_15(run, style, prorate, june_posted, effective, june, july) -> None:
    write_autotask_deployment(
        run.root, autotask_world(quantity=15, june_posted=june_posted), style=style, prorate=prorate
    )
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    assert adjustments(run.root) == [(3, effective)]
    assert invoices(run.root, style, prorate) == (Decimal(june), Decimal(july))
    for day in ("2024-06-15", "2024-06-16", "2024-07-02"):
        code, out = run("plan", "--date", day, "--detailed-exitcode")
        assert code == 0 and "No changes." in out, (day, out)


def test_adjustment_outside_the_contract_is_reported_not_sent(run) -> None:
    write_autotask_deployment(run.root, autotask_world(quantity=15), style="advance", prorate=False)
    _code, out = run("apply", "--date", "2024-08-20", "--auto-approve")  # next period starts after the contract ends
    assert "! error:" in out and "2024-09-01" in out
    assert adjustments(run.root) == []


def test_a_second_change_before_the_dated_adjustment_is_accepted_by_autotask(run) -> None:
    from tests.e2e.worlds import edit_working_world

    write_autotask_deployment(run.root, autotask_world(quantity=15), style="advance", prorate=False)
    assert run("apply", "--date", "2024-06-15", "--auto-approve")[0] == 0
    edit_working_world(run.root, lambda w: w["dickerdata"]["subscriptions"][0].update(ConfirmedQuantity=16))
    code, out = run("apply", "--date", "2024-06-20", "--auto-approve")
    assert code == 0, out
    assert "this one is dated 2024-07-02" in out
    assert adjustments(run.root) == [(3, "2024-07-01"), (1, "2024-07-02")]
    code, out = run("plan", "--date", "2024-06-21", "--detailed-exitcode")
    assert code == 0 and "No changes." in out
