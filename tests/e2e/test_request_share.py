"""The plan says what applying it costs in PSA requests and, on Autotask, what share of the
database's hourly threshold that is; an apply over psa.max_request_share is refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reconciler.model import RequestForecast
from reconciler.plan.plan import Plan
from tests.e2e.worlds import (
    autotask_world,
    connectwise_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)

DAY = ("--date", "2024-06-15")


def _cap(root, share: str) -> None:
    settings = root / "specs" / "settings.yaml"
    settings.write_text(
        settings.read_text().replace("  provider: autotask\n", f"  provider: autotask\n  max_request_share: {share}\n")
    )


@pytest.fixture
def autotask(run):
    write_autotask_deployment(run.root, autotask_world(quantity=15), style="advance", prorate=False)
    return run


def test_the_plan_says_how_many_requests_the_apply_makes_and_its_share_of_the_hour(autotask) -> None:
    autotask("plan", *DAY, "--format", "json")
    requests = json.loads(autotask.stdout)["requests"]
    # the reads: zone, threshold, companies, contracts, services, contract services, unit rows, charges
    assert requests == {
        "reads": 8,
        "writes": 1,
        "lookups": 0,
        "total": 9,
        "hourly_limit": 10000,
        "share_percent": "0.1",
        "max_share_percent": "25",
    }
    _, out = autotask("plan", *DAY)
    assert (
        "Requests: applying it makes about 9 to Autotask (8 to read it again, 1 to write): 0.1 % of the "
        "10,000 an hour the database allows all its integrations together (psa.max_request_share 25 %)"
    ) in out


def test_an_apply_over_the_configured_share_is_refused_and_writes_nothing(autotask) -> None:
    _cap(autotask.root, "0.05")
    code, out = autotask("apply", *DAY, "--auto-approve")
    assert code == 3 and "[max-request-share] applying this plan makes about 9 requests, 0.1 %" in out
    assert working_world(autotask.root)["autotask"]["contractServiceAdjustments"] == []
    code, out = autotask("apply", *DAY, "--auto-approve", "--force")
    assert code == 0 and len(working_world(autotask.root)["autotask"]["contractServiceAdjustments"]) == 1


def test_no_cap_when_the_share_is_null(autotask) -> None:
    _cap(autotask.root, "null")
    autotask("plan", *DAY, "--format", "json")
    assert "max_share_percent" not in json.loads(autotask.stdout)["requests"]


@pytest.mark.parametrize("share", ["0", "101", "'lots'"])
def test_a_share_out_of_range_is_a_spec_error_at_its_line(autotask, share) -> None:
    _cap(autotask.root, share)
    code, out = autotask("validate")
    assert code != 0 and "settings.yaml" in out and "max_request_share" in out


def test_connectwise_plans_say_their_requests_without_an_hourly_share(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    run("plan", *DAY, "--format", "json")
    requests = json.loads(run.stdout)["requests"]
    assert requests["writes"] == 1 and "hourly_limit" not in requests and "share_percent" not in requests


def test_the_forecast_survives_a_saved_plan() -> None:
    forecast = RequestForecast(reads=274, writes=498, lookups=127, hourly_limit=10_000, max_share=Decimal("25"))
    assert (forecast.total, forecast.share, forecast.over_share) == (899, Decimal("9.0"), False)
    plan = Plan(sync_type="daily", sync_date="2024-06-15", psa="autotask", requests=forecast)
    assert Plan.from_json(plan.to_json()).requests == forecast
