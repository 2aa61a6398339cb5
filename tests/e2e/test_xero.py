"""Xero end to end, as a user runs it: the shipped example plans and applies and then plans
nothing; `sandbox init --psa xero` deployments converge in every billing style; monthly sync
copies a Dicker Data invoice onto one draft per client."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from providers.sandbox.generator import generate
from tests.e2e.test_daily_generated import STYLES, bump_first_active_subscriptions
from tests.e2e.worlds import edit_working_world

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xero-advance"


def _xero(run) -> dict:
    return json.loads((run.root / ".ncesync" / "world.json").read_text())["xero"]


def test_the_example_plans_applies_and_then_plans_nothing(run) -> None:
    shutil.copytree(EXAMPLE, run.root, ignore=shutil.ignore_patterns(".ncesync"))
    assert run("validate")[0] == 0
    code, out = run("plan")
    assert code == 0, out
    assert "Plan: 1 seat change, 3 lines created, 1 description updated" in out
    assert "charge -1 x $92.93 dated 2024-06-15" in out  # 4 seats fewer: 4 x 43.56 x 16/30 back
    code, out = run("apply", "--auto-approve")
    assert code == 0, out
    code, out = run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out
    drafts = [i for i in _xero(run)["invoices"] if i.get("_createdBy")]
    assert {(i["Type"], i["Status"], i["Reference"]) for i in drafts} == {("ACCREC", "DRAFT", "ncesync: seat changes")}
    assert sorted(line["LineAmount"] for i in drafts for line in i["LineItems"]) == [-92.93, 88.0]
    for template in _xero(run)["repeatingInvoices"]:  # the line ncesync does not manage is kept
        assert [x["Description"] for x in template["LineItems"] if "ItemCode" not in x] == ["Managed IT services"]


@pytest.mark.parametrize(
    ("style", "prorate"), STYLES, ids=[f"{s}-{'prorate' if p else 'no-prorate'}" for s, p in STYLES]
)
def test_a_xero_deployment_converges_after_dicker_data_changes(run, style: str, prorate: bool) -> None:
    generate(run.root, clients=8, seed=5, psa="xero", style=style, prorate=prorate, today=date(2024, 6, 1))
    code, out = run("apply", "--date", "2024-06-03", "--auto-approve")
    assert code == 0, out
    edit_working_world(run.root, bump_first_active_subscriptions)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 0, out
    changes = json.loads(run.stdout)["changes"]
    seats = [c for c in changes if c["action"] in ("set_quantity", "create_line")]
    charges = [c for c in changes if c["action"] == "create_charge"]
    assert seats and all(c["after"]["quantity"] > 0 for c in seats)
    assert len(charges) == (len(seats) if prorate else 0)  # a catch-up beside each prorated change
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    for day in ("2024-06-15", "2024-06-16"):
        code, out = run("plan", "--date", day, "--detailed-exitcode")
        assert code == 0 and "No changes." in out, out


def test_monthly_sync_copies_an_invoice_onto_one_draft_per_client(run) -> None:
    generate(run.root, clients=4, seed=5, psa="xero", sync="monthly", today=date(2024, 6, 15))
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    drafts = [i for i in _xero(run)["invoices"] if i.get("_createdBy")]
    references = [(i["Contact"]["ContactID"], i["Reference"]) for i in drafts]
    assert drafts and len(references) == len(set(references))  # one draft per client and Dicker Data invoice
    assert any(line["Quantity"] < 0 for i in drafts for line in i["LineItems"])  # the refund is a line of its own
    assert all(i["Status"] == "DRAFT" and i["Reference"].startswith("Dicker Data invoice ") for i in drafts)
    code, out = run("plan", "--date", "2024-06-15", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out


def test_doctor_checks_the_example_against_its_organisation(run) -> None:
    shutil.copytree(EXAMPLE, run.root, ignore=shutil.ignore_patterns(".ncesync"))
    code, out = run("doctor")
    assert code == 0, out
    names = [ln.split(maxsplit=1)[1].split(":")[0] for ln in out.splitlines() if ln.startswith(("ok", "FAIL"))]
    assert names[-8:] == [
        "psa credentials",
        "psa scopes",
        "psa organisation",
        "mapped contacts",
        "mapped repeating invoices",
        "mapped items",
        "psa call budget",
        "mapping",
    ]
    assert "mapped repeating invoices: 6 of 6 found and in use" in out


def test_doctor_takes_a_contact_mapped_as_the_agreement_for_monthly_sync(run) -> None:
    generate(run.root, clients=4, seed=5, psa="xero", sync="monthly", today=date(2024, 6, 15))
    client = sorted((run.root / "specs" / "clients").glob("*.yaml"))[0]
    text = client.read_text()
    contact = next(ln.split(": ")[1] for ln in text.splitlines() if ln.startswith("psa_company_id: "))
    client.write_text(
        "\n".join(f"agreement_id: {contact}" if ln.startswith("agreement_id: ") else ln for ln in text.splitlines())
    )
    code, out = run("doctor", "--date", "2024-06-15")
    assert code == 0, out
    assert "mapped repeating invoices: 4 of 4 found and in use" in out


def test_automap_proposes_a_client_from_its_contact_and_repeating_invoice(run) -> None:
    """A Dicker Data customer without a client file is matched to the contact of the same
    name and the contact's only repeating invoice; a contact without one is not proposed."""
    shutil.copytree(EXAMPLE, run.root, ignore=shutil.ignore_patterns(".ncesync"))
    mapped = run.root / "specs" / "clients" / "coastal-engineering-co.yaml"
    expected = {
        k: v
        for k, _, v in (line.partition(": ") for line in mapped.read_text().splitlines())
        if k in ("dd_customer_id", "psa_company_id", "agreement_id")
    }
    mapped.unlink()
    code, out = run("automap", "--write")
    assert code == 0, out
    assert "+ Coastal Engineering & Co [2f6c48f6-5d2c-4938-ad6b-76db51ed2f15], 35 seats" in out
    assert "Lakeside Consulting Partners" in out and "has no active agreement" in out
    written = mapped.read_text()
    for key, value in expected.items():
        assert f"{key}: {value}" in written
    assert run("validate")[0] == 0
