"""`ncesync report margin`: per client and licence, Dicker Data's cost against the PSA's
price, the monthly margin and margin %, flags and totals, in text, Markdown, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.gitops.conftest import DATE, edit_world, ncesync


def _margin(root: Path, *extra: str) -> dict[str, Any]:
    result = ncesync("report", "margin", "-C", str(root), *DATE, "--format", "json", *extra)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def _lose_money_on_the_first_addition(world: dict[str, Any]) -> dict[str, Any]:
    addition = world["connectwise"]["additions"][0]
    addition["unitPrice"] = 1.00  # a price typed wrong in the PSA, below any Dicker Data cost
    return addition


def test_each_licence_has_cost_price_seats_margin_and_share(deployment: Path) -> None:
    report = _margin(deployment)
    assert report["licences"]
    for line in report["licences"]:
        price, cost = Decimal(line["unit_price"]), Decimal(line["unit_cost"])
        assert Decimal(line["margin"]) == (line["seats"] * (price - cost)).quantize(Decimal("0.01"))
        share = ((price - cost) * 100 / price).quantize(Decimal("0.1"))
        assert Decimal(line["margin_percent"]) == share
    totals = report["totals"]
    assert Decimal(totals["margin"]) == sum(Decimal(ln["margin"]) for ln in report["licences"])
    assert totals["seats"] == sum(ln["seats"] for ln in report["licences"])
    assert Decimal(totals["revenue"]) - Decimal(totals["cost"]) == Decimal(totals["margin"])


def test_a_negative_margin_is_flagged_everywhere(deployment: Path) -> None:
    held: dict[str, Any] = {}
    edit_world(deployment, lambda world: held.update(_lose_money_on_the_first_addition(world)))
    report = _margin(deployment)
    [negative] = [ln for ln in report["licences"] if ln["flag"] == "negative"]
    assert negative["agreement_id"] == held["agreementId"] and negative["unit_price"] == "1.00"
    assert Decimal(negative["margin"]) < 0 and report["totals"]["flagged"] == 1
    text = ncesync("report", "margin", "-C", str(deployment), *DATE).stdout
    assert "<- negative: sold below Dicker Data's cost" in text
    flagged = [ln for ln in text.splitlines() if ln.startswith("  ! ")]
    assert len(flagged) == 1 and negative["product_key"] in flagged[0]
    markdown = ncesync("report", "margin", "-C", str(deployment), *DATE, "--format", "markdown").stdout
    assert "| | client | licence | seats | Dicker Data cost | PSA price | margin/month | margin % |" in markdown
    assert markdown.count("| :x: |") == 1 and "| | **total** |" in markdown


def test_margins_below_the_threshold_are_flagged(deployment: Path) -> None:
    report = _margin(deployment, "--min-margin-percent", "90")
    assert Decimal(report["min_margin_percent"]) == 90
    assert {ln["flag"] for ln in report["licences"]} == {"below threshold"}
    assert _margin(deployment)["totals"]["flagged"] == 0


def test_csv_has_a_header_and_one_row_per_licence(deployment: Path) -> None:
    report = _margin(deployment)
    text = ncesync("report", "margin", "-C", str(deployment), *DATE, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(report["licences"])
    assert rows[0]["client_name"] == report["licences"][0]["client_name"]
    assert rows[0]["margin"] == report["licences"][0]["margin"]
    assert list(rows[0])[:3] == ["client_id", "client_name", "product_key"]
