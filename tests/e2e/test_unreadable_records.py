"""A PSA record the provider cannot read stops only the licences that depend on it: the
message names the record and the field, every other licence (of the same client too) is
planned and written, and nothing reaches the user as a traceback."""

from __future__ import annotations

import copy

import yaml

from tests.e2e.worlds import (
    OTHER,
    TENANT,
    autotask_world,
    subscription,
    three_clients_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)

DAY = ("--date", "2024-06-15")
EXO = "P1Y:CFQ7TTC0LH18:0001:1:"


def cw_quantities(root) -> dict[tuple[int, str], int]:
    return {
        (a["agreementId"], a["product"]["identifier"]): a["quantity"]
        for a in working_world(root)["connectwise"]["additions"]
    }


def test_a_connectwise_agreement_without_its_prorate_flag_stops_only_its_client(run) -> None:
    world, clients = three_clients_world()
    del world["connectwise"]["agreements"][1]["prorateFlag"]  # Fabrikam's agreement 1002
    write_deployment(run.root, world, style="advance", clients=clients)
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 1
    assert "ConnectWise agreement 1002: field prorateFlag is missing" in out
    assert "Traceback" not in out
    assert cw_quantities(run.root) == {(1001, "M365-BP"): 15, (1002, "M365-BP"): 6, (1003, "M365-BP"): 4}


def test_an_unreadable_catalog_item_stops_that_product_and_the_clients_other_licence_goes_on(run) -> None:
    world, clients = three_clients_world()
    cw = world["connectwise"]
    exo = copy.deepcopy(cw["catalog"][0])
    exo.update(id=12, identifier="EXO-P1", description="Exchange Online", price=None)
    cw["catalog"].append(exo)
    cw["additions"].append(dict(cw["additions"][0], id=601, product={"id": 12, "identifier": "EXO-P1"}, quantity=3))
    world["dickerdata"]["subscriptions"].append(subscription(TENANT, 5, sid="sub-exo-1") | {"StockCode": EXO})
    write_deployment(run.root, world, style="advance", clients=clients)
    products = yaml.safe_load((run.root / "specs" / "products.yaml").read_text())
    products["products"]["exchange-online"] = {
        "name": "Exchange Online Plan 1",
        "stock_codes": [EXO[:-3]],
        "psa_product": "EXO-P1",
    }
    (run.root / "specs" / "products.yaml").write_text(yaml.safe_dump(products, sort_keys=False))
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 1
    assert "ConnectWise catalog item 'EXO-P1': field price is missing" in out
    assert "Traceback" not in out
    quantities = cw_quantities(run.root)
    assert quantities[(1001, "M365-BP")] == 15  # Contoso's other licence was synced
    assert quantities[(1001, "EXO-P1")] == 3  # the unreadable product's line was left alone
    assert quantities[(1002, "M365-BP")] == 8


def test_an_autotask_contract_with_an_unknown_period_type_stops_only_its_licences(run) -> None:
    world = autotask_world(quantity=15)
    at = world["autotask"]
    at["companies"].append({"id": 251, "companyName": "Fabrikam Ltd", "isActive": True})
    at["contracts"].append(
        dict(at["contracts"][0], id=7002, companyID=251, contractName="Fabrikam - M365", contractPeriodType=99)
    )
    at["contractServices"].append(dict(at["contractServices"][0], id=2, contractID=7002))
    at["contractServiceUnits"] += [
        dict(r, id=r["id"] + 100, contractID=7002, contractServiceID=2) for r in at["contractServiceUnits"]
    ]
    world["dickerdata"]["customers"].append({"TenantId": OTHER, "CompanyName": "Fabrikam Ltd"})
    world["dickerdata"]["subscriptions"].append(subscription(OTHER, 9, sid="sub-bp-2", company="Fabrikam Ltd"))
    clients = [
        {"name": "Contoso Ltd", "dd_customer_id": TENANT, "psa_company_id": 250, "agreement_id": 1001},
        {"name": "Fabrikam Ltd", "dd_customer_id": OTHER, "psa_company_id": 251, "agreement_id": 1002},
    ]
    write_deployment(run.root, world, style="advance", psa="autotask", clients=clients)
    write_autotask_deployment(run.root, world, style="advance", prorate=False)
    (run.root / "specs" / "clients" / "fabrikam.yaml").write_text(
        (run.root / "specs" / "clients" / "fabrikam.yaml")
        .read_text()
        .replace("agreement_id: 1002", "agreement_id: 7002")
    )
    _, out = run("plan", *DAY)
    assert "Autotask contract 7002: field contractPeriodType: unknown contractPeriodType 99" in out
    assert "Traceback" not in out
    assert "Contoso Ltd" in out and "+3" in out  # Contoso's contract 7001 is planned as usual
    run("apply", *DAY, "--auto-approve")
    adjustments = working_world(run.root)["autotask"]["contractServiceAdjustments"]
    assert [(a["contractID"], a["unitChange"]) for a in adjustments] == [(7001, 3)]
