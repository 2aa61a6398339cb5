"""The plan is typed data: its JSON (described by schemas/plan.schema.json) reads back into
the same Plan, which writes the same JSON and renders the same text, for every PSA and both
sync types."""

from __future__ import annotations

import json
from datetime import date

import pytest

from providers.sandbox.generator import generate
from reconciler.plan.plan import Plan
from reconciler.report.render import render
from reconciler.specs.schema import validator
from tests.e2e.worlds import edit_working_world


def _bump(world: dict) -> None:
    for sub in world["dickerdata"]["subscriptions"][:4]:
        sub["ConfirmedQuantity"] += 2


@pytest.mark.parametrize(
    ("psa", "sync"),
    [("connectwise", "daily"), ("autotask", "daily"), ("connectwise", "monthly"), ("autotask", "monthly")],
)
def test_a_plan_reads_back_as_itself(run, psa: str, sync: str) -> None:
    generate(run.root, clients=6, seed=3, psa=psa, sync=sync, today=date(2024, 7, 10))
    assert run("sandbox", "reset")[0] == 0
    edit_working_world(run.root, _bump)
    run("plan", "--date", "2024-07-10", "--format", "json")
    data = json.loads(run.stdout)
    assert data["changes"], "the round trip is only telling with changes in the plan"
    assert list(validator("plan").iter_errors(data)) == []
    plan = Plan.from_json(data)
    assert plan.to_json() == data
    for fmt in ("text", "markdown"):
        assert render(plan.to_json(), fmt) == render(data, fmt)
