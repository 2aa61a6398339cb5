"""billing.md 7, end to end on the sandbox for both PSAs: one refused write leaves every
other licence synced, of that client too; the run ends with exit 1 and a table of what was
not written; a rerun finishes the job without duplicates."""

from __future__ import annotations

import json
from datetime import date

import pytest

from providers.sandbox.faults import ENV_VAR
from providers.sandbox.generator import generate
from tests.e2e.worlds import edit_working_world, working_world

DAY = "2024-06-20"


def _raise_two_licences_of_one_client_and_one_of_another(world: dict) -> None:
    """+2 on two stock codes of the first tenant with at least two, +1 on another tenant."""
    by_tenant: dict[str, list[dict]] = {}
    for sub in world["dickerdata"]["subscriptions"]:
        if sub["Status"] == "ACTIVE":
            by_tenant.setdefault(sub["TenantId"], []).append(sub)
    first = next(t for t, subs in by_tenant.items() if len({s["StockCode"] for s in subs}) >= 2)
    codes = sorted({s["StockCode"] for s in by_tenant[first]})[:2]
    for sub in by_tenant[first]:
        if sub["StockCode"] in codes:
            sub["ConfirmedQuantity"] += 2
    other = next(t for t in by_tenant if t != first)
    by_tenant[other][0]["ConfirmedQuantity"] += 1


def _seat_changes(plan: dict) -> list[dict]:
    return [c for c in plan["changes"] if c["action"] != "update_line"]


@pytest.mark.parametrize("psa", ["connectwise", "autotask"])
def test_a_refused_write_leaves_every_other_licence_synced(run, monkeypatch, psa: str) -> None:
    generate(run.root, clients=6, seed=11, psa=psa, style="advance", today=date(2024, 6, 1))
    assert run("apply", "--date", DAY, "--auto-approve")[0] == 0  # the generated drift first
    edit_working_world(run.root, _raise_two_licences_of_one_client_and_one_of_another)
    code, out = run("plan", "--date", DAY, "--format", "json")
    changes = json.loads(run.stdout)["changes"]
    planned = _seat_changes(json.loads(run.stdout))
    assert len(planned) == 3, out
    clients = [c["client_id"] for c in planned]
    refused = next(c for c in planned if clients.count(c["client_id"]) == 2)  # the client with two
    writes_before_it = changes.index(refused)

    monkeypatch.setenv(ENV_VAR, json.dumps([{"kind": "status", "status": 500, "write_index": writes_before_it + 1}]))
    # One write at a time, so that the sandbox's write number N is the plan's change N.
    code, out = run("apply", "--date", DAY, "--auto-approve", "--parallelism", "1")
    assert code == 1, out
    assert "Not written" in out and "HTTP 500" in out and "next run: plans this licence again" in out
    assert "Traceback" not in out
    world = working_world(run.root)

    monkeypatch.delenv(ENV_VAR)
    code, out = run("plan", "--date", DAY, "--format", "json")
    left = _seat_changes(json.loads(run.stdout))
    # Only the refused licence is still to do: the refused client's other licence and the
    # other client were written.
    assert [(c["client_id"], c["product_id"]) for c in left] == [(refused["client_id"], refused["product_id"])]
    assert left[0]["after"]["quantity"] == refused["after"]["quantity"]

    code, out = run("apply", "--date", DAY, "--auto-approve")
    assert code == 0, out
    code, out = run("plan", "--date", DAY, "--detailed-exitcode")
    assert code == 0 and "No changes." in out
    assert _records(working_world(run.root), psa) == _records(world, psa) + 1  # one write more, no duplicate


def _records(world: dict, psa: str) -> int:
    if psa == "connectwise":
        return sum(len(a.get("_history") or [1]) for a in world["connectwise"]["additions"])
    return len(world["autotask"]["contractServiceAdjustments"])
