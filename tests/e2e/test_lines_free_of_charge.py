"""A ConnectWise addition the customer is not billed for (`billCustomer` DoNotBill or
NoCharge) is on no invoice: setting its quantity to Dicker Data's count would leave the
invoice at nothing while the plan reports a run-rate rise. The licence is an error saying
what to do; every other licence is planned and applied as usual."""

from __future__ import annotations

import json

import pytest

from tests.e2e.worlds import three_clients_world, working_world, write_deployment


@pytest.mark.parametrize("bill", ["DoNotBill", "NoCharge"])
def test_a_main_line_billed_to_nobody_stops_that_licence_only(run, bill: str) -> None:
    world, clients = three_clients_world(quantities=(15, 8, 4))  # lines of 12, 6 and 3 seats
    world["connectwise"]["additions"][0]["billCustomer"] = bill  # Contoso's line 501
    write_deployment(run.root, world, style="advance", clients=clients)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 1, out
    plan = json.loads(run.stdout)
    errors = [e["message"] for e in plan["errors"]]
    assert any("line 501 active on 2024-06-15 bills the customer nothing" in e for e in errors), errors
    assert sorted((c["agreement_id"], c["after"]["quantity"]) for c in plan["changes"]) == [(1002, 8), (1003, 4)]
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 1, out
    quantities = {a["id"]: a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]}
    assert quantities == {501: 12, 502: 8, 503: 4}
