"""Deployments for the crash and race scenarios: several licences to write, so a run can be
stopped between writes, and two clients, so two per-client applies can race."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.worlds import (
    OTHER,
    autotask_world,
    subscription,
    three_clients_world,
    write_autotask_deployment,
    write_deployment,
)


def two_autotask_clients(root: Path) -> Path:
    """Contoso (contract 7001, 12 -> 15 units) and Fabrikam (contract 7002, 6 -> 8 units):
    one adjustment each, arrears without proration."""
    world: dict[str, Any] = autotask_world(quantity=15)
    at, dd = world["autotask"], world["dickerdata"]
    at["companies"].append({"id": 251, "companyName": "Fabrikam Ltd", "isActive": True})
    contract = dict(at["contracts"][0], id=7002, companyID=251, contractName="Fabrikam - Microsoft 365")
    at["contracts"].append(contract)
    at["contractServices"].append(dict(at["contractServices"][0], id=2, contractID=7002))
    for row in copy.deepcopy(at["contractServiceUnits"]):
        at["contractServiceUnits"].append(dict(row, id=row["id"] + 100, contractID=7002, contractServiceID=2, units=6))
    dd["customers"].append({"TenantId": OTHER, "CompanyName": "Fabrikam Ltd"})
    dd["subscriptions"].append(subscription(OTHER, 8, sid="sub-bp-2", company="Fabrikam Ltd"))
    write_autotask_deployment(root, world, style="arrears", prorate=False)
    client = {"name": "Fabrikam Ltd", "dd_customer_id": OTHER, "psa_company_id": 251, "agreement_id": 7002}
    (root / "specs" / "clients" / "fabrikam.yaml").write_text(yaml.safe_dump(client, sort_keys=False))
    return root


def three_connectwise_clients(root: Path) -> Path:
    """Three main lines to set (12 -> 15, 6 -> 8, 3 -> 4): three writes."""
    world, clients = three_clients_world()
    return write_deployment(root, world, style="advance", clients=clients)
