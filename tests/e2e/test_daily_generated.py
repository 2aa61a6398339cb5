"""As a new user would: `sandbox init` deployments of each style, change some Dicker Data
counts, plan with --date, apply, plan again: the first plan explains every change in seats
and money, the second is empty."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from providers.sandbox.generator import generate
from tests.e2e.worlds import edit_working_world

STYLES = [("advance", False), ("advance", True), ("arrears", False), ("arrears", True)]


def bump_first_active_subscriptions(world: dict, n: int = 3) -> list[str]:
    changed = []
    for sub in world["dickerdata"]["subscriptions"]:
        if sub["Status"] == "ACTIVE" and len(changed) < n:
            sub["ConfirmedQuantity"] += 2
            changed.append(sub["TenantId"])
    return changed


@pytest.mark.parametrize(
    ("style", "prorate"), STYLES, ids=[f"{s}-{'prorate' if p else 'no-prorate'}" for s, p in STYLES]
)
def test_connectwise_deployment_converges_after_dicker_data_changes(run, style: str, prorate: bool) -> None:
    generate(run.root, clients=10, seed=11, psa="connectwise", style=style, prorate=prorate, today=date(2024, 6, 1))
    code, out = run("apply", "--date", "2024-06-03", "--auto-approve")
    assert code in (0,), out  # the generated drift converges first
    edit_working_world(run.root, bump_first_active_subscriptions)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 0, out
    plan = json.loads(run.stdout)  # results only: stderr ends with the summary line
    changes = plan["changes"]
    assert changes, "increases in Dicker Data must be planned"
    expected_action = "create_delta" if prorate else "set_quantity"
    assert {c["action"] for c in changes if c["runrate_change"] != "0.00"} <= {expected_action, "create_line"}
    assert all(c["reason"] for c in changes)
    assert plan["totals"]["runrate_change"] != "0.00"
    if prorate:
        assert plan["totals"]["one_off"] != "0.00"  # the rest of June, prorated
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    code, out = run("plan", "--date", "2024-06-15", "--detailed-exitcode")
    assert code == 0 and "No changes." in out
    code, out = run("plan", "--date", "2024-06-16", "--detailed-exitcode")
    assert code == 0 and "No changes." in out


@pytest.mark.parametrize(
    ("style", "prorate"), STYLES, ids=[f"{s}-{'prorate' if p else 'no-prorate'}" for s, p in STYLES]
)
def test_autotask_deployment_converges_after_dicker_data_changes(run, style: str, prorate: bool) -> None:
    generate(run.root, clients=8, seed=5, psa="autotask", style=style, prorate=prorate, today=date(2024, 6, 1))
    code, out = run("apply", "--date", "2024-06-03", "--auto-approve")
    assert code == 0, out
    edit_working_world(run.root, bump_first_active_subscriptions)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 0, out
    plan = json.loads(run.stdout)  # results only: stderr ends with the summary line
    adjustments = [c for c in plan["changes"] if c["action"] == "create_adjustment"]
    assert adjustments and all(c["after"]["quantity"] > 0 for c in adjustments)
    expected = {"2024-06-15"} if prorate else ({"2024-07-01"} if style == "advance" else {"2024-06-01", "2024-07-01"})
    assert {c["effective_date"] for c in adjustments} <= expected
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 0, out
    for day in ("2024-06-15", "2024-06-16"):
        code, out = run("plan", "--date", day, "--detailed-exitcode")
        assert code == 0 and "No changes." in out, out


@pytest.mark.parametrize("psa", ["connectwise", "autotask"])
def test_a_dicker_data_cost_change_reaches_the_psa_line_and_converges(run, psa: str) -> None:
    generate(run.root, clients=6, seed=5, psa=psa, today=date(2024, 6, 1))
    assert run("apply", "--date", "2024-06-03", "--auto-approve")[0] == 0

    def raise_costs(world: dict) -> None:
        for sub in world["dickerdata"]["subscriptions"]:
            sub["UnitPrice"] = str(Decimal(sub["UnitPrice"]) + Decimal("1.20"))

    edit_working_world(run.root, raise_costs)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 0, out
    updates = [c for c in json.loads(run.stdout)["changes"] if c["action"] == "update_line"]
    assert updates and all("unit_cost" in c["after"] for c in updates)
    assert run("apply", "--date", "2024-06-15", "--auto-approve")[0] == 0
    code, out = run("plan", "--date", "2024-06-16", "--detailed-exitcode")
    assert code == 0 and "No changes." in out
