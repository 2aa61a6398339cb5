"""Two clients mapped to one agreement would each set its lines to their own seat counts,
one after the other, every night (in Autotask, two adjustments on one day; the service
swinging between the two counts). The licences they share are errors, nothing is written
for them, and every other licence is planned; a run for one of the clients holds its shared
licences back too, as it cannot see what the other client buys."""

from __future__ import annotations

import json

from tests.e2e.worlds import TENANT, three_clients_world, working_world, write_deployment


def _fabrikam_on_contosos_agreement(run) -> None:
    world, clients = three_clients_world(quantities=(15, 8, 4))  # lines of 12, 6 and 3 seats
    clients[1]["agreement_id"] = 1001
    write_deployment(run.root, world, style="advance", clients=clients)


def test_a_licence_two_clients_share_is_an_error_for_both_and_the_rest_is_planned(run) -> None:
    _fabrikam_on_contosos_agreement(run)
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 1, out
    plan = json.loads(run.stdout)
    shared = sorted(e["client_name"] for e in plan["errors"] if "agreement 1001 bills M365-BP for" in e["message"])
    assert shared == ["Contoso Ltd", "Fabrikam Ltd"], plan["errors"]
    assert [(c["agreement_id"], c["after"]["quantity"]) for c in plan["changes"]] == [(1003, 4)]
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 1, out
    assert {a["id"]: a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]} == {
        501: 12,
        502: 6,
        503: 4,
    }


def test_a_run_for_one_client_holds_back_what_another_client_maps_too(run) -> None:
    _fabrikam_on_contosos_agreement(run)
    contoso = TENANT
    code, out = run("plan", "--date", "2024-06-15", "--client", contoso, "--format", "json")
    assert code == 1, out
    plan = json.loads(run.stdout)
    assert plan["changes"] == []
    assert any("for Fabrikam Ltd too" in e["message"] for e in plan["errors"]), plan["errors"]
