"""Invoice descriptions: a changed template updates every managed line on the next apply
(end to end on a generated sandbox deployment), and `ncesync describe` previews the text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.gitops.conftest import DATE, ncesync, plan_json

DATED_TEMPLATE = "{{ licence.name }} x {{ quantity }} ({{ period.start }} to {{ period.end }})"
NEW_TEMPLATE = "{{ client.name }} - {{ licence.name }} x {{ quantity }} from {{ period.start }}"


def _set(path: Path, **values: object) -> None:
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(dict(data, **values), sort_keys=False))


def _managed_additions(root: Path) -> dict[int, dict]:
    """Open additions of mapped products on mapped agreements, in the sandbox's working world."""
    world = json.loads((root / ".ncesync" / "world.json").read_text())["connectwise"]
    specs = root / "specs"
    agreements = {yaml.safe_load(p.read_text())["agreement_id"] for p in (specs / "clients").glob("*.yaml")}
    products = {p["psa_product"] for p in yaml.safe_load((specs / "products.yaml").read_text())["products"].values()}
    return {
        a["id"]: a
        for a in world["additions"]
        if a["agreementId"] in agreements and a["product"]["identifier"] in products and not a.get("cancelledDate")
    }


def _apply(root: Path) -> None:
    result = ncesync("apply", "-C", str(root), *DATE, "--auto-approve")
    assert result.code == 0, result.stdout + result.stderr


def _plan_is_empty(root: Path) -> bool:
    return ncesync("plan", "-C", str(root), *DATE, "--detailed-exitcode").code == 0


def test_a_changed_template_updates_every_managed_line_on_the_next_apply(deployment: Path) -> None:
    _apply(deployment)
    assert _plan_is_empty(deployment)

    _set(deployment / "specs" / "settings.yaml", invoice_description=NEW_TEMPLATE)
    plan = plan_json(deployment)
    managed = _managed_additions(deployment)
    assert len(managed) > 20
    assert {c["action"] for c in plan["changes"]} == {"update_line"}
    assert sorted(c["line_id"] for c in plan["changes"]) == sorted(managed)
    names = {
        p["psa_product"]: p["name"]
        for p in yaml.safe_load((deployment / "specs" / "products.yaml").read_text())["products"].values()
    }
    for change in plan["changes"]:
        line = managed[change["line_id"]]
        assert change["before"] == {"invoice_description": line["invoiceDescription"]}
        name = names[line["product"]["identifier"]]
        expected = f"{change['client_name']} - {name} x {int(line['quantity'])} from 2024-06-01"
        assert change["after"] == {"invoice_description": expected}

    _apply(deployment)
    assert _plan_is_empty(deployment)
    after = _managed_additions(deployment)
    assert {a["id"]: a["invoiceDescription"] for a in after.values()} == {
        c["line_id"]: c["after"]["invoice_description"] for c in plan["changes"]
    }


def test_describe_shows_the_text_the_next_apply_writes(deployment: Path) -> None:
    _set(deployment / "specs" / "settings.yaml", invoice_description=DATED_TEMPLATE)
    result = ncesync("describe", "-C", str(deployment), "--client", "coastal-legal-partners", *DATE, "--format", "json")
    assert result.code == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["source"] == "default"
    written = {
        (c["product_key"], c["after"]["invoice_description"])
        for c in plan_json(deployment)["changes"]
        if c["client_name"] == "Coastal Legal Partners" and "invoice_description" in c["after"]
    }
    shown = {(lic["product_key"], lic["text"]) for lic in preview["licences"]}
    assert written and written <= shown
    bp = next(lic for lic in preview["licences"] if lic["product_key"] == "m365-business-basic")
    assert bp == {
        "product_key": "m365-business-basic",
        "product_name": "Microsoft 365 Business Basic",
        "psa_product": "M365-BB-ANNUAL",
        "agreement_id": 1007,
        "quantity": 20,
        "text": "Microsoft 365 Business Basic x 20 (2024-06-01 to 2024-06-30)",
        "lines": [{"line_id": 19, "kind": "main", "invoice_description": "Microsoft 365 Business Basic x 20"}],
        "differs": True,
        "creates": False,
        "problem": None,
    }


def test_describe_renders_a_clients_own_template_with_current_counts(deployment: Path) -> None:
    path = deployment / "specs" / "clients" / "coastal-legal-partners.yaml"
    _set(path, invoice_description="{{ licence.stock_code }}: {{ quantity }} for {{ client.name }}")
    text = ncesync("describe", "-C", str(deployment), "--client", "coastal-legal-partners", *DATE).stdout
    assert "Template (this client's own, in " in text
    assert "  P1Y:CFQ7TTC0LDPB:0001:1:: 20 for Coastal Legal Partners\n" in text
    assert (
        "  ConnectWise main addition (record id 19) says now: Microsoft 365 Business Basic x 20"
        "  <- the next apply updates it"
    ) in text


def test_describe_says_when_descriptions_are_off(deployment: Path) -> None:
    _set(deployment / "specs" / "clients" / "coastal-legal-partners.yaml", invoice_description="off")
    text = ncesync("describe", "-C", str(deployment), "--client", "coastal-legal-partners", *DATE).stdout
    assert "Descriptions are off for this client" in text
    assert "<- the next apply updates it" not in text
    changes = plan_json(deployment)["changes"]
    assert not [
        c for c in changes if c["client_name"] == "Coastal Legal Partners" and "invoice_description" in c["after"]
    ]


def test_describe_names_an_unknown_client(deployment: Path) -> None:
    result = ncesync("describe", "-C", str(deployment), "--client", "nobody", *DATE)
    assert result.code == 1
    assert "--client 'nobody' names no client mapping" in result.stderr


def test_describe_names_autotask_contracts_and_never_promises_a_line_the_plan_does_not_create(tmp_path: Path) -> None:
    root = tmp_path / "autotask"
    # not the working copy a `make demo` of the example leaves beside it
    shutil.copytree(
        Path(__file__).parents[2] / "examples" / "autotask-arrears", root, ignore=shutil.ignore_patterns(".ncesync")
    )
    world_path = root / "sandbox" / "world.json"
    world = json.loads(world_path.read_text(encoding="utf-8"))
    for sub in world["dickerdata"]["subscriptions"]:
        if sub["StockCode"].startswith("P1Y:CFQ7TTC0LFLZ"):  # Entra ID P1 of Greenfield Foods: none left
            sub["Status"] = "SUSPENDED"
    at = world["autotask"]  # and no contract service for it either
    at["contractServices"] = [s for s in at["contractServices"] if s["id"] != 2]
    at["contractServiceUnits"] = [u for u in at["contractServiceUnits"] if u["contractServiceID"] != 2]
    world_path.write_text(json.dumps(world), encoding="utf-8")
    text = ncesync("describe", "-C", str(root), "--client", "greenfield-foods-pty-ltd", *DATE).stdout
    assert "agreement" not in text
    assert "entra-id-p1 (9009) on contract 7001: Dicker Data has 0 seats" in text
    assert "(no contract service, and none is created: Dicker Data has no seats to bill)" in text
    assert "creates it" not in text
    assert "Autotask main contract service (record id 1) says now: Microsoft Teams Essentials x 8" in text
    assert "main line 1" not in text  # a record id never reads as a seat count
