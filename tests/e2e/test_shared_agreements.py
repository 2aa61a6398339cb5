"""Two clients mapped to one agreement would each set its lines to their own seat counts,
one after the other, every night (in Autotask, two adjustments on one day; the service
swinging between the two counts). The licences they share are errors, nothing is written
for them, and every other licence is planned; a run for one of the clients holds its shared
licences back too, as it cannot see what the other client buys."""

from __future__ import annotations

import json
from datetime import date

import yaml

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
    shared = sorted(e["client_name"] for e in plan["errors"] if "also map agreement 1001 for M365-BP" in e["message"])
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
    assert any("Fabrikam Ltd also map agreement 1001" in e["message"] for e in plan["errors"]), plan["errors"]


def test_a_client_run_plans_a_licence_no_other_client_sends_to_that_agreement(run) -> None:
    """Fabrikam sends only Exchange to Contoso's agreement 1001 (a licence override), and
    Contoso buys no Exchange: a run for Contoso plans its Business Premium as a full run does."""
    world, clients = three_clients_world(quantities=(15, 8, 4))
    clients[1]["licences"] = {"exchange-online-plan-1": {"agreement_id": 1001}}
    write_deployment(run.root, world, style="advance", clients=clients)
    products = run.root / "specs" / "products.yaml"
    specs = yaml.safe_load(products.read_text())
    specs["products"]["exchange-online-plan-1"] = {
        "name": "Exchange Online (Plan 1)",
        "stock_codes": ["P1Y:CFQ7TTC0LH18:0001:1:"],
        "psa_product": "EXO-P1",
        "price": "6.50",
    }
    products.write_text(yaml.safe_dump(specs))
    for extra in ((), ("--client", TENANT)):
        code, out = run("plan", "--date", "2024-06-15", "--format", "json", *extra)
        assert code == 0, out
        assert (1001, 15) in [(c["agreement_id"], c["after"]["quantity"]) for c in json.loads(run.stdout)["changes"]]


def test_xero_ids_written_in_another_case_are_the_same_agreement(run) -> None:
    from providers.sandbox.generator import generate

    generate(run.root, clients=2, seed=3, psa="xero", style="advance", today=date(2024, 6, 15))
    files = sorted((run.root / "specs" / "clients").glob("*.yaml"))
    first, second = (yaml.safe_load(f.read_text()) for f in files)
    second["agreement_id"] = str(first["agreement_id"]).upper()
    files[1].write_text(yaml.safe_dump(second))
    code, out = run("plan", "--date", "2024-06-15", "--format", "json")
    assert code == 1, out
    errors = [e for e in json.loads(run.stdout)["errors"] if "also map agreement" in e["message"]]
    assert {e["client_name"] for e in errors} == {first["name"], second["name"]}
