"""`ncesync report unmapped`: unmapped customers and stock codes with seats, the mapped share
of billed seats, the same counts the plan shows."""

from __future__ import annotations

import json
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


def test_report_has_the_plans_unmapped_counts_and_seats(deployment: Path) -> None:
    plan = plan_json(deployment)
    report = _report(deployment)
    assert len(report["customers"]) == plan["totals"]["unmapped_customers"] == 1
    assert sum(s["subscriptions"] for s in report["stock_codes"]) == plan["totals"]["unmapped_stock_codes"] == 3
    assert report["customers"] == [{"tenant_id": UNMAPPED_TENANT, "name": "Tasman Engineering & Co", "seats": 20}]
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
        dd["subscriptions"] = [s for s in dd["subscriptions"] if s["TenantId"] != UNMAPPED_TENANT
                               and not s["StockCode"].startswith(("DZH318Z0BPS6", "P1Y:CFQ7TTC0LHRW"))]
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
