"""billing.md test vectors end to end: CLI -> ConnectWise provider -> sandbox -> invoices.

Each scenario plans and applies through the real provider over HTTP, then asks the
sandbox's invoice simulation what ConnectWise would invoice for June and July 2024.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from providers.sandbox.invoicing import connectwise_invoice
from tests.e2e.worlds import connectwise_world, edit_working_world, working_world, write_deployment

JUNE = (date(2024, 6, 1), date(2024, 6, 30))
JULY = (date(2024, 7, 1), date(2024, 7, 31))


def invoices(root, style: str) -> tuple[Decimal, Decimal]:
    world = working_world(root)
    return connectwise_invoice(world, 1001, JUNE, style=style), connectwise_invoice(world, 1001, JULY, style=style)


def additions(root) -> list[dict]:
    return sorted(working_world(root)["connectwise"]["additions"], key=lambda a: a["id"])


@pytest.mark.parametrize(
    ("style", "prorate", "june", "july", "writes"),
    [
        ("advance", False, "240.00", "300.00", [(501, 15, "2024-05-01")]),
        ("advance", True, "240.00", "332.00", [(501, 12, "2024-05-01"), (502, 3, "2024-06-15")]),
        ("arrears", False, "300.00", "300.00", [(501, 15, "2024-05-01")]),
        ("arrears", True, "272.00", "300.00", [(501, 12, "2024-05-01"), (502, 3, "2024-06-15")]),
    ],
    ids=["advance-no-prorate", "advance-prorate", "arrears-no-prorate", "arrears-prorate"],
)
def test_tv1_increase_of_three_seen_on_june_15(run, style, prorate, june, july, writes) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=prorate), style=style)
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    assert [(a["id"], a["quantity"], a["effectiveDate"][:10]) for a in additions(run.root)] == writes
    assert invoices(run.root, style) == (Decimal(june), Decimal(july))
    code, out = run("plan", "--date", "2024-06-16", "--detailed-exitcode")
    assert code == 0 and "No changes." in out


def test_tv2_decrease_on_an_arrears_prorating_agreement(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=10, prorate=True), style="arrears")
    code, out = run("apply", "--date", "2024-06-20", "--auto-approve")
    assert code == 0, out
    assert [(a["quantity"], a["effectiveDate"][:10]) for a in additions(run.root)] == [
        (12, "2024-05-01"),
        (-2, "2024-06-20"),
    ]
    assert invoices(run.root, "arrears") == (Decimal("225.33"), Decimal("200.00"))


def test_tv2_decrease_in_advance_without_prorate(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=10, prorate=False), style="advance")
    assert run("apply", "--date", "2024-06-20", "--auto-approve")[0] == 0
    assert [a["quantity"] for a in additions(run.root)] == [10]
    assert invoices(run.root, "advance") == (Decimal("240.00"), Decimal("200.00"))


def test_tv3_missing_line_is_created_on_the_sync_date(run) -> None:
    world = connectwise_world(quantity=5, prorate=False)
    world["connectwise"]["additions"] = []
    write_deployment(run.root, world, style="advance")
    code, out = run("apply", "--date", "2024-06-10", "--auto-approve")
    assert code == 0, out
    [created] = additions(run.root)
    assert (created["quantity"], created["effectiveDate"][:10], created["unitPrice"], created["unitCost"]) == (
        5,
        "2024-06-10",
        20.0,
        15.0,
    )
    assert created["description"].endswith("[ncesync:main]")


def test_tv4_up_then_down_in_one_month_on_arrears_prorate(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=True), style="arrears")
    assert run("apply", "--date", "2024-06-10", "--auto-approve")[0] == 0
    edit_working_world(run.root, lambda w: w["dickerdata"]["subscriptions"][0].update(ConfirmedQuantity=13))
    assert run("apply", "--date", "2024-06-20", "--auto-approve")[0] == 0
    assert [(a["quantity"], a["effectiveDate"][:10]) for a in additions(run.root)] == [
        (12, "2024-05-01"),
        (3, "2024-06-10"),
        (-2, "2024-06-20"),
    ]
    assert invoices(run.root, "arrears") == (Decimal("267.33"), Decimal("260.00"))


def test_tv5_no_change_writes_nothing(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=12, prorate=False), style="advance")
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0 and "No changes." in out
    assert not (run.root / ".ncesync" / "journal.jsonl").exists()


def test_tv6_duplicate_main_lines_block_only_that_licence(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False, main_lines=2), style="advance")
    code, out = run("plan", "--date", "2024-06-15")
    assert code == 1  # a nightly job must not stay green while a licence is not synced
    assert "! error:" in out and "501" in out and "502" in out
    assert "Plan:" not in out and "No changes can be planned for the licences with errors" in out
    assert "1 licence cannot be synced until fixed" in out


def test_tv7_source_outage_is_refused_unless_forced(run) -> None:
    world = connectwise_world(quantity=40, prorate=False)
    world["connectwise"]["additions"] = [dict(world["connectwise"]["additions"][0], quantity=40)]
    world["dickerdata"]["subscriptions"] = []
    write_deployment(run.root, world, style="advance")
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 3
    assert "[source-empty]" in out and "40 seats" in out
    assert [a["quantity"] for a in additions(run.root)] == [40]
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve", "--force")
    assert code == 0 and [a["quantity"] for a in additions(run.root)] == [0]


def test_journal_command_shows_each_write_with_its_reason(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=True), style="arrears")
    assert run("apply", "--date", "2024-06-15", "--auto-approve")[0] == 0
    code, out = run("journal")
    assert code == 0
    assert "applied Contoso Ltd: create_delta M365-BP on agreement 1001 record 502" in out
    assert "why: " in out
    code, out = run("journal", "--client", "contoso")  # the client's file name works too
    assert code == 0 and "create_delta M365-BP" in out
    code, out = run("journal", "--client", "someone-else")
    assert code == 1 and "--client 'someone-else' names no client mapping" in out
