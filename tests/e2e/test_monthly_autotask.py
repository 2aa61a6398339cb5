"""Monthly sync into Autotask, end to end on a generated sandbox deployment.

Each copied invoice line is a contract charge dated on the invoice date. A charge that
Autotask has billed since it was copied is read-only: a correction is reported, not tried;
an unbilled one that differs is corrected in place.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from providers.sandbox.generator import generate
from reconciler.specs.schema import validator
from tests.e2e.worlds import edit_working_world, working_world

TODAY = "2024-07-10"


@pytest.fixture
def deployment(run):
    generate(run.root, clients=4, seed=23, psa="autotask", sync="monthly", today=date.fromisoformat(TODAY))
    return run


def invoices(root: Path) -> list[dict]:
    return json.loads((root / "sandbox" / "world.json").read_text())["dickerdata"]["invoices"]


def plan_json(run, *args: str) -> dict:
    code, out = run("plan", "--date", TODAY, "--format", "json", *args)
    assert code == 0, out
    return json.loads(run.stdout)  # results only: stderr ends with the summary line


def test_plan_apply_then_plan_again_is_empty_and_a_second_invoice_adds_only_its_lines(deployment):
    run = deployment
    june, july = invoices(run.root)
    first = plan_json(run, "--invoice", june["InvoiceNumber"])
    validator("plan").validate(first)
    assert first["changes"] and all(c["action"] == "create_charge" for c in first["changes"])

    code, out = run("apply", "--date", TODAY, "--invoice", june["InvoiceNumber"], "--auto-approve")
    assert code == 0, out
    charges = working_world(run.root)["autotask"]["contractCharges"]
    assert len(charges) == len(first["changes"])
    assert {c["datePurchased"][:10] for c in charges} == {june["InvoiceDate"]}
    wanted = sorted((c["after"]["quantity"], c["after"]["unit_price"]) for c in first["changes"])
    assert sorted((c["unitQuantity"], f"{c['unitPrice']:.2f}") for c in charges) == wanted

    assert plan_json(run, "--invoice", june["InvoiceNumber"])["changes"] == []

    second = plan_json(run)
    assert {c["after"]["invoice_number"] for c in second["changes"]} == {july["InvoiceNumber"]}
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 0, out
    assert len(working_world(run.root)["autotask"]["contractCharges"]) == len(first["changes"]) + len(second["changes"])
    assert plan_json(run)["changes"] == []


def test_a_billed_charge_that_no_longer_matches_is_reported_not_changed(deployment):
    run = deployment
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 0, out

    def bill_and_edit(world: dict) -> None:
        charge = world["autotask"]["contractCharges"][0]
        charge["isBilled"] = True
        charge["unitPrice"] = 1.0

    edit_working_world(run.root, bill_and_edit)
    plan = plan_json(run)
    assert plan["changes"] == []
    assert any("already billed" in w["message"] for w in plan["warnings"])
    assert working_world(run.root)["autotask"]["contractCharges"][0]["unitPrice"] == 1.0


def test_an_unbilled_charge_that_no_longer_matches_is_corrected_in_place(deployment):
    run = deployment
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 0, out
    original = working_world(run.root)["autotask"]["contractCharges"][0]
    edit_working_world(run.root, lambda w: w["autotask"]["contractCharges"][0].update(unitPrice=1.0))
    plan = plan_json(run)
    [change] = plan["changes"]
    assert (change["action"], change["line_kind"], change["line_id"]) == ("update_line", "charge", original["id"])
    code, out = run("apply", "--date", TODAY, "--auto-approve")
    assert code == 0, out
    charges = working_world(run.root)["autotask"]["contractCharges"]
    assert len(charges) == len({c["id"] for c in charges})  # corrected, not copied again
    assert charges[0]["unitPrice"] == original["unitPrice"]
    assert plan_json(run)["changes"] == []
