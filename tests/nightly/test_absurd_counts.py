"""Absurd seat counts never reach the PSA: refused where they are read (file and row, or API
record, named), and a licence jumping by more than a configured count or factor is refused
by a guard that is on by default, as is a run-rate swing past a default ceiling."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from providers.dickerdata import mapping
from providers.dickerdata.exports import ExportFolder
from reconciler.errors import SourceError
from reconciler.model import Scope
from reconciler.specs import load_deployment
from tests.e2e.worlds import connectwise_world, working_world, write_deployment

DAY = ("--date", "2024-06-15")
FIXTURES = Path(__file__).parents[1] / "providers" / "dickerdata" / "fixtures"
REPO = Path(__file__).parents[2]


def export_with_qty(folder: Path, qty: str, *, row: int = 1) -> Path:
    """The fixture Annuity Information export with data row `row`'s QTY replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    with (FIXTURES / "annuity-information-2024-06.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    header_at = next(i for i, r in enumerate(rows) if "QTY" in r)
    rows[header_at + row][rows[header_at].index("QTY")] = qty
    path = folder / "annuity.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("qty", ["1000000000000000000000000", "100001", "-3"])
def test_an_export_row_with_an_absurd_or_negative_quantity_is_refused_naming_file_and_row(tmp_path, qty) -> None:
    export_with_qty(tmp_path / "exports", qty, row=2)
    with pytest.raises(SourceError) as caught:
        ExportFolder(tmp_path / "exports", "exports").read(Scope(sync_date=date(2024, 6, 15)))
    message = str(caught.value)
    assert "exports/annuity.csv" in message and "row" in message and "QTY" in message
    assert qty in message
    assert ("negative" in message) if qty.startswith("-") else ("more than 100,000" in message)


def test_a_sane_export_quantity_still_reads(tmp_path) -> None:
    export_with_qty(tmp_path / "exports", "100000", row=2)
    subs = ExportFolder(tmp_path / "exports", "exports").read(Scope(sync_date=date(2024, 6, 15))).subscriptions
    assert 100000 in [s.quantity for s in subs]


@pytest.mark.parametrize("qty", [10**15, -1, "12.5", True])
def test_an_api_subscription_with_an_absurd_quantity_is_refused_naming_the_record(qty) -> None:
    record = {
        "SubscriptionId": "sub-1",
        "TenantId": "t",
        "StockCode": "P1Y:CFQ7TTC0LCHC:0002:1:",
        "Status": "Active",
        "BillingFrequency": "Monthly",
        "ConfirmedQuantity": qty,
        "UnitPrice": "15.00",
    }
    with pytest.raises(SourceError, match=r"record 1 \(SubscriptionId sub-1\): field ConfirmedQuantity"):
        mapping.subscriptions({"Out": [record]}, "Dicker Data GetSubscriptionDetails")


def test_an_invoice_line_may_be_a_refund_but_not_absurd() -> None:
    line = {
        "TenantId": "t",
        "SubscriptionId": "s",
        "Stockcode": "P1Y:CFQ7TTC0LCHC:0002:1:",
        "Quantity": -2,
        "UnitPrice": "1",
        "CycleUnitPrice": "1",
        "LineAmount": "-2",
    }
    assert mapping.invoice_line(line, "inv: line 1", "INV-1", date(2024, 6, 3)).quantity == -2
    with pytest.raises(SourceError, match="line 1: field Quantity"):
        mapping.invoice_line({**line, "Quantity": 10**15}, "inv: line 1", "INV-1", date(2024, 6, 3))


def test_ten_to_the_fifteen_seats_through_the_api_fail_the_plan_and_write_nothing(run) -> None:
    world = connectwise_world(quantity=10**15, prorate=False)
    write_deployment(run.root, world, style="advance")
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 1, out
    assert "ConfirmedQuantity" in out and "SubscriptionId sub-bp-1" in out
    assert "Traceback" not in out and "/month" not in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


def with_price(root: Path, price: str) -> None:
    products = root / "specs" / "products.yaml"
    products.write_text(products.read_text().replace("price: '20.00'", f"price: '{price}'"))


@pytest.mark.parametrize(("seats", "why"), [(5000, "more than max_licence_change 1000"), (150, "more than 10 times")])
def test_a_licence_jumping_past_the_default_count_or_factor_is_refused(run, seats, why) -> None:
    write_deployment(run.root, connectwise_world(quantity=seats, prorate=False), style="advance")
    with_price(run.root, "0.01")  # cheap: only the jump guard can refuse it
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 3, out
    assert "[licence-jump]" in out and "from 12 to" in out and why in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]
    code, out = run("apply", *DAY, "--auto-approve", "--force")
    assert code == 0, out


def test_a_licence_jump_within_the_configured_limits_goes_through(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=150, prorate=False), style="advance")
    with_price(run.root, "0.01")
    settings = run.root / "specs" / "settings.yaml"
    data = yaml.safe_load(settings.read_text())
    data["safety"].update(max_licence_factor=20)
    settings.write_text(yaml.safe_dump(data))
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out


def test_small_growth_is_not_a_jump_even_when_it_multiplies(run) -> None:
    world = connectwise_world(quantity=9, prorate=False)
    world["connectwise"]["additions"][0]["quantity"] = 1  # 1 -> 9: nine times, but 8 seats
    write_deployment(run.root, world, style="advance")
    code, out = run("plan", *DAY)
    assert code == 0, out


def test_the_run_rate_guard_is_on_without_any_setting(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=110, prorate=False), style="advance")
    with_price(run.root, "200.00")  # 98 more seats at 200.00: +19,600.00 a month
    assert load_deployment(run.root).settings.safety.max_runrate_change == Decimal("10000")
    code, out = run("plan", *DAY)
    assert code == 3, out
    assert "[max-runrate-change]" in out and "more than max_runrate_change 10000" in out


def test_sandbox_init_and_every_shipped_deployment_show_the_guards(tmp_path) -> None:
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    result = CliRunner().invoke(cli, ["sandbox", "init", "-C", str(tmp_path / "new"), "--clients", "2"])
    assert result.exit_code == 0, result.output
    shipped = [REPO, *sorted(p.parents[1] for p in REPO.glob("examples/*/specs/settings.yaml"))]
    for root in [tmp_path / "new", *shipped]:
        safety = yaml.safe_load((root / "specs" / "settings.yaml").read_text())["safety"]
        assert {"max_runrate_change", "max_licence_change", "max_licence_factor"} <= set(safety), root


def test_the_guard_settings_are_in_the_schema_and_a_bad_value_is_a_spec_error(run) -> None:
    from reconciler.specs import validate_deployment

    write_deployment(run.root, connectwise_world(quantity=12, prorate=False), style="advance")
    settings = run.root / "specs" / "settings.yaml"
    data = yaml.safe_load(settings.read_text())
    data["safety"].update(max_licence_change=0, max_licence_factor=0.5)
    settings.write_text(yaml.safe_dump(data))
    _, problems = validate_deployment(run.root)
    assert {p.pointer for p in problems} == {"/safety/max_licence_change", "/safety/max_licence_factor"}


def test_shipped_examples_still_plan_under_the_default_guards(tmp_path) -> None:
    """The demo world is well inside the defaults (a guard that refuses the demo is noise)."""
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    demo = tmp_path / "demo"
    shutil.copytree(REPO / "specs", demo / "specs")
    shutil.copytree(REPO / "sandbox", demo / "sandbox")
    result = CliRunner().invoke(cli, ["plan", "-C", str(demo), "--date", "2026-11-20"])
    assert result.exit_code == 0, result.output
