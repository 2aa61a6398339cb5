"""`sandbox init`: reproducible, valid, realistic deployments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from providers.sandbox import SandboxServer, load_world
from providers.sandbox.generator import generate
from tests.sandbox.conftest import VendorSession, cw_headers

TODAY = date(2024, 6, 15)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("psa", ["connectwise", "autotask"])
def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path, psa: str) -> None:
    generate(tmp_path / "a", clients=10, seed=42, psa=psa, today=TODAY)
    generate(tmp_path / "b", clients=10, seed=42, psa=psa, today=TODAY)
    generate(tmp_path / "c", clients=10, seed=43, psa=psa, today=TODAY)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_deployment_layout_and_cross_references(tmp_path: Path) -> None:
    generate(tmp_path, clients=12, seed=7, today=TODAY)
    world = load_world(tmp_path / "sandbox" / "world.json")
    settings = yaml.safe_load((tmp_path / "specs" / "settings.yaml").read_text())
    assert settings["psa"] == {"provider": "connectwise", "endpoint": "sandbox", "codebase": "v4_6_release"}
    assert settings["sandbox"]["world"] == "sandbox/world.json"
    products = yaml.safe_load((tmp_path / "specs" / "products.yaml").read_text())["products"]
    catalog = {c["identifier"] for c in world["connectwise"]["catalog"]}
    assert all(p["psa_product"] in catalog for p in products.values())
    clients = [yaml.safe_load(p.read_text()) for p in sorted((tmp_path / "specs" / "clients").glob("*.yaml"))]
    assert len(clients) == 12
    tenants = {c["TenantId"] for c in world["dickerdata"]["customers"]}
    agreements = {a["id"]: a for a in world["connectwise"]["agreements"]}
    for client in clients:
        assert client["dd_customer_id"] in tenants
        assert agreements[client["agreement_id"]]["company"]["id"] == client["psa_company_id"]
    assert len(tenants) > 12  # a few unmapped customers
    mapped = [c for p in products.values() for c in p["stock_codes"]]
    codes = {s["StockCode"] for s in world["dickerdata"]["subscriptions"]}
    assert any(not any(code.startswith(m) for m in mapped) for code in codes)  # unmapped stock codes


def test_most_psa_lines_match_and_some_drift(tmp_path: Path) -> None:
    generate(tmp_path, clients=30, seed=3, today=TODAY)
    world = load_world(tmp_path / "sandbox" / "world.json")
    assert world["meta"]["seed"] == 3 and world["meta"]["clients"] == 30
    seats = {}
    for sub in world["dickerdata"]["subscriptions"]:
        if sub["Status"] == "ACTIVE":
            key = (sub["TenantId"], sub["StockCode"])
            seats[key] = seats.get(key, 0) + sub["ConfirmedQuantity"]
    additions = world["connectwise"]["additions"]
    assert additions and all(a["_history"][0]["quantity"] == a["quantity"] for a in additions)
    quantities = sorted(seats.values())
    matching = sum(1 for a in additions if a["quantity"] in quantities)
    assert matching > len(additions) * 0.6


def test_autotask_monthly_deployment_has_invoices_with_a_refund(tmp_path: Path) -> None:
    generate(tmp_path, clients=5, seed=9, psa="autotask", sync="monthly", style="arrears", prorate=True, today=TODAY)
    world = json.loads((tmp_path / "sandbox" / "world.json").read_text())
    invoices = world["dickerdata"]["invoices"]
    assert [i["InvoiceDate"] for i in invoices] == ["2024-05-01", "2024-06-01"]
    assert any(line["Quantity"] < 0 for line in invoices[1]["Lines"])
    assert world["autotask"]["contracts"][0]["contractType"] == 7
    settings = yaml.safe_load((tmp_path / "specs" / "settings.yaml").read_text())
    assert settings["sync"]["type"] == "monthly" and settings["billing"] == {"style": "arrears", "prorate": True}


def test_daily_autotask_contracts_have_monthly_unit_rows(tmp_path: Path) -> None:
    generate(tmp_path, clients=3, seed=5, psa="autotask", today=TODAY)
    world = load_world(tmp_path / "sandbox" / "world.json")
    rows = [r for r in world["autotask"]["contractServiceUnits"] if r["contractServiceID"] == 1]
    assert len(rows) == 36 and rows[0]["startDate"].endswith("-01T00:00:00")
    assert any(r["approveAndPostDate"] for r in rows) and any(not r["approveAndPostDate"] for r in rows)


def test_generated_world_is_served(tmp_path: Path) -> None:
    generate(tmp_path, clients=4, seed=1, today=TODAY)
    with (
        SandboxServer(tmp_path / "sandbox" / "world.json") as server,
        VendorSession(f"{server.url}/connectwise/v4_6_release/apis/3.0", cw_headers()) as cw,
    ):
        assert cw.get("/finance/agreements/count").json() == {"count": 4}


@pytest.mark.parametrize("bad", [{"psa": "halo"}, {"sync": "weekly"}, {"style": "sideways"}, {"clients": 0}])
def test_bad_arguments_are_refused(tmp_path: Path, bad: dict) -> None:
    args = {"clients": 2, "seed": 1, "today": TODAY, **bad}
    with pytest.raises(ValueError):
        generate(tmp_path, **args)


def test_sandbox_init_refuses_more_clients_than_a_world_is_worth_generating(tmp_path) -> None:
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    result = CliRunner().invoke(cli, ["sandbox", "init", "-C", str(tmp_path / "d"), "--clients", "100000000"])
    assert result.exit_code == 64 and "1<=x<=20000" in result.output
    assert not (tmp_path / "d").exists()


def test_sandbox_init_says_a_bad_time_zone_is_a_usage_error_as_a_bad_date_is(tmp_path) -> None:
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    for option, value in (("--timezone", "Mars/Base"), ("--date", "2024-02-30")):
        result = CliRunner().invoke(cli, ["sandbox", "init", "-C", str(tmp_path / "d"), option, value])
        assert result.exit_code == 64, (option, result.output)
        assert f"Invalid value for {option}" in result.output or f"Invalid value for '{option}'" in result.output
    assert not (tmp_path / "d").exists()
