"""Monthly sync into ConnectWise, end to end on a generated sandbox deployment.

The generated world holds two Dicker Data invoices (June and July 2024, the July one with
a refund line) and agreements without additions. Each copied line is a one-day addition.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from providers.sandbox.generator import generate
from reconciler.specs.schema import validator
from tests.e2e.worlds import working_world

TODAY = "2024-07-10"


@pytest.fixture
def deployment(run):
    generate(run.root, clients=4, seed=11, psa="connectwise", sync="monthly", today=date.fromisoformat(TODAY))
    return run


def invoices(root: Path) -> list[dict]:
    world = json.loads((root / "sandbox" / "world.json").read_text())
    return world["dickerdata"]["invoices"]


def plan_json(run, *args: str, exit_code: int = 0) -> dict:
    code, out = run("plan", "--date", TODAY, "--format", "json", *args)
    assert code == exit_code, out
    return json.loads(run.stdout)


def test_plan_apply_then_plan_again_is_empty_and_a_second_invoice_adds_only_its_lines(deployment):
    run = deployment
    june, july = invoices(run.root)
    first = plan_json(run, "--invoice", june["InvoiceNumber"])
    validator("plan").validate(first)
    assert first["changes"] and {c["after"]["invoice_number"] for c in first["changes"]} == {june["InvoiceNumber"]}
    assert [i["number"] for i in first["invoices"]] == [june["InvoiceNumber"]]

    code, out = run("apply", "--date", TODAY, "--invoice", june["InvoiceNumber"], "--auto-approve")
    assert code == 0, out
    additions = working_world(run.root)["connectwise"]["additions"]
    assert len(additions) == len(first["changes"])
    for addition in additions:
        assert addition["effectiveDate"][:10] == addition["cancelledDate"][:10] == june["InvoiceDate"]
        assert "[ncesync:charge " + june["InvoiceNumber"] + "/" in addition["description"]

    code, out = run("plan", "--date", TODAY, "--invoice", june["InvoiceNumber"])
    assert code == 0 and "No changes." in out

    second = plan_json(run)
    assert {c["after"]["invoice_number"] for c in second["changes"]} == {july["InvoiceNumber"]}
    assert any(c["after"]["quantity"] < 0 for c in second["changes"])  # the refund is its own line
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 0, out
    assert len(working_world(run.root)["connectwise"]["additions"]) == len(first["changes"]) + len(second["changes"])
    again = plan_json(run)
    assert again["changes"] == [] and again["errors"] == []
    assert all(i["to_copy"] == 0 and i["copied"] == i["lines"] for i in again["invoices"])


def test_text_plan_shows_each_invoice_with_totals_per_client(deployment):
    run = deployment
    june, _ = invoices(run.root)
    code, out = run("plan", "--date", TODAY, "--invoice", june["InvoiceNumber"])
    assert code == 0
    assert f"invoice {june['InvoiceNumber']}" in out
    assert f"{june['InvoiceNumber']} of {june['InvoiceDate']}:" in out and "to copy" in out


def test_prorating_agreements_are_refused_and_nothing_is_written(run):
    generate(
        run.root, clients=2, seed=11, psa="connectwise", sync="monthly", prorate=True, today=date.fromisoformat(TODAY)
    )
    plan = plan_json(run, exit_code=1)  # licences that cannot be synced fail the run
    assert plan["changes"] == [] and plan["errors"]
    assert all("Prorate on" in e["message"] for e in plan["errors"])
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 1 and "cannot be synced until fixed" in out
    assert working_world(run.root)["connectwise"]["additions"] == []


def test_invoice_option_is_refused_for_daily_sync(run):
    generate(run.root, clients=1, seed=11, psa="connectwise", sync="daily", today=date.fromisoformat(TODAY))
    code, out = run("plan", "--date", TODAY, "--invoice", "INV1")
    assert code == 1 and "--invoice applies to monthly sync only" in out


def test_an_unknown_invoice_number_is_named_as_such(deployment):
    code, out = deployment("plan", "--date", TODAY, "--invoice", "INV-TYPO")
    assert code == 1
    assert "Dicker Data has no invoice 'INV-TYPO' (check the number given to --invoice)" in out


def test_a_run_that_finds_no_invoice_says_so(deployment):
    code, out = deployment("plan", "--date", "2025-03-15")  # far after the generated invoices
    assert code == 0
    assert "Dicker Data lists no invoice for this run" in out and "The PSA matches" not in out
