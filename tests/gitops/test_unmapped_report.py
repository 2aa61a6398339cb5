"""`ncesync report unmapped`: unmapped customers and stock codes with seats, the mapped share
of billed seats, the same counts the plan shows."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from providers.sandbox.generator import WORLD_REL
from tests.gitops.conftest import DATE, edit_world, ncesync, plan_json

UNMAPPED_TENANT = "070d7109-2085-4634-be3c-9c8f2b855c1f"  # Tasman Engineering & Co, seed 7


def _report(root: Path, *extra: str) -> dict:
    result = ncesync("report", "unmapped", "-C", str(root), *DATE, "--format", "json", *extra)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def _active_seats(root: Path) -> int:
    world = json.loads((root / WORLD_REL).read_text(encoding="utf-8"))
    return sum(s["ConfirmedQuantity"] for s in world["dickerdata"]["subscriptions"] if s["Status"] == "ACTIVE")


def _cost(root: Path, tenant: str, code: str | None = None) -> str:
    """Dicker Data's monthly cost of a tenant's active seats (of one stock code), from the world."""
    world = json.loads((root / WORLD_REL).read_text(encoding="utf-8"))
    subs = [
        s
        for s in world["dickerdata"]["subscriptions"]
        if s["TenantId"] == tenant and s["Status"] == "ACTIVE" and code in (None, s["StockCode"])
    ]
    months = {"monthly": 1, "annual": 12, "triennial": 36}  # UnitPrice is per billing period

    def monthly(s: dict) -> Decimal:
        per_seat = (Decimal(str(s["UnitPrice"])) / months[s["BillingFrequency"].lower()]).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        return (per_seat * s["ConfirmedQuantity"]).quantize(Decimal("0.01"), ROUND_HALF_UP)

    return str(sum((monthly(s) for s in subs), Decimal("0.00")))


def test_report_has_the_plans_unmapped_counts_and_seats(deployment: Path) -> None:
    plan = plan_json(deployment)
    report = _report(deployment)
    assert len(report["customers"]) == plan["totals"]["unmapped_customers"] == 1
    assert sum(s["subscriptions"] for s in report["stock_codes"]) == plan["totals"]["unmapped_stock_codes"] == 3
    assert report["customers"] == [
        {
            "tenant_id": UNMAPPED_TENANT,
            "name": "Tasman Engineering & Co",
            "seats": 20,
            "monthly_cost": _cost(deployment, UNMAPPED_TENANT),
        }
    ]
    assert {(s["client_name"], s["stock_code"], s["seats"]) for s in report["stock_codes"]} == {
        ("Totara Accounting Partners", "P1Y:CFQ7TTC0LHRW:0001:1:", 12),
        ("Coastal Legal Partners", "DZH318Z0BPS6:0001", 1),
        ("Riverbend Accounting Ltd", "DZH318Z0BPS6:0001", 1),
    }
    assert report["unmapped_seats"] == sum(u["seats"] for u in plan["unmapped"]) == 34


def test_mapped_share_is_mapped_seats_over_billed_seats(deployment: Path) -> None:
    report = _report(deployment)
    billed = _active_seats(deployment)
    assert report["billed_seats"] == billed == 402
    assert report["mapped_seats"] == 368
    assert report["mapped_share_percent"] == "91.5"  # 368 / 402
    assert report["excluded_seats"] == 0


def test_an_inactive_mapping_is_left_out_not_unmapped(deployment: Path) -> None:
    path = deployment / "specs" / "clients" / "totara-accounting-partners.yaml"
    spec = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(dict(spec, active=False), sort_keys=False))
    report = _report(deployment)
    assert [c["tenant_id"] for c in report["customers"]] == [UNMAPPED_TENANT]
    assert "Totara Accounting Partners" not in {s["client_name"] for s in report["stock_codes"]}
    assert report["billed_seats"] == report["mapped_seats"] + report["unmapped_seats"] + report["excluded_seats"]
    assert report["excluded_seats"] > 0


def test_an_excluded_stock_code_is_not_unmapped(deployment: Path) -> None:
    path = deployment / "specs" / "clients" / "coastal-legal-partners.yaml"
    spec = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(dict(spec, exclude_stock_codes=["DZH318Z0BPS6:0001"]), sort_keys=False))
    report = _report(deployment)
    assert "Coastal Legal Partners" not in {s["client_name"] for s in report["stock_codes"]}
    assert report["excluded_seats"] == 1


def test_fail_on_unmapped_exits_2_only_when_something_is_unmapped(deployment: Path) -> None:
    args = ("report", "unmapped", "-C", str(deployment), *DATE, "--fail-on-unmapped")
    found = ncesync(*args)
    assert found.code == 2, found.stderr
    assert "Tasman Engineering & Co [070d7109-2085-4634-be3c-9c8f2b855c1f]: 20 seats" in found.stdout
    assert ncesync(*args[:-1]).code == 0


def test_nothing_unmapped_passes_the_gate(tmp_path: Path, deployment: Path) -> None:
    def drop_unmapped(world: dict) -> None:
        dd = world["dickerdata"]
        dd["subscriptions"] = [
            s
            for s in dd["subscriptions"]
            if s["TenantId"] != UNMAPPED_TENANT and not s["StockCode"].startswith(("DZH318Z0BPS6", "P1Y:CFQ7TTC0LHRW"))
        ]
        dd["customers"] = [c for c in dd["customers"] if c["TenantId"] != UNMAPPED_TENANT]

    edit_world(deployment, drop_unmapped)
    result = ncesync("report", "unmapped", "-C", str(deployment), *DATE, "--format", "markdown", "--fail-on-unmapped")
    assert result.code == 0, result.stderr
    assert "**Nothing is unmapped.**" in result.stdout
    assert "**100.0%** of the 368 seats Dicker Data bills are mapped" in result.stdout


def test_markdown_report_tables(deployment: Path) -> None:
    text = ncesync("report", "unmapped", "-C", str(deployment), *DATE, "--format", "markdown").stdout
    assert "| Tasman Engineering &amp; Co | `070d7109-2085-4634-be3c-9c8f2b855c1f` | 20 |" in text
    assert "| Totara Accounting Partners | `P1Y:CFQ7TTC0LHRW:0001:1:` | 12 | 1 |" in text


def test_report_says_how_much_is_leaking_a_month(deployment: Path) -> None:
    report = _report(deployment)
    rows = report["customers"] + report["stock_codes"]
    assert report["unmapped_monthly_cost"] == str(sum(Decimal(r["monthly_cost"]) for r in rows))
    assert Decimal(report["unmapped_monthly_cost"]) > 0
    text = ncesync("report", "unmapped", "-C", str(deployment), *DATE).stdout
    money = f"${Decimal(report['unmapped_monthly_cost']):,.2f}"
    assert f"Leaking: {money}/month paid to Dicker Data for the unmapped seats and billed to no one." in text
    assert f"20 seats, ${Decimal(_cost(deployment, UNMAPPED_TENANT)):,.2f}/month at Dicker Data cost" in text
    markdown = ncesync("report", "unmapped", "-C", str(deployment), *DATE, "--format", "markdown").stdout
    assert f"**{money}/month** paid to Dicker Data and billed to no one" in markdown


def test_unmapped_codes_without_active_seats_are_not_listed(deployment: Path) -> None:
    def suspend(world: dict) -> None:
        for s in world["dickerdata"]["subscriptions"]:
            if s["StockCode"] == "P1Y:CFQ7TTC0LHRW:0001:1:":
                s["Status"] = "SUSPENDED"

    edit_world(deployment, suspend)
    plan = plan_json(deployment)
    assert "P1Y:CFQ7TTC0LHRW:0001:1:" not in json.dumps(plan["unmapped"])
    assert plan["totals"]["unmapped_stock_codes"] == 2
    text = ncesync("plan", "-C", str(deployment), *DATE).stdout
    assert "P1Y:CFQ7TTC0LHRW" not in text
