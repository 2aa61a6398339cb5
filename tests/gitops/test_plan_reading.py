"""Plans a billing manager reads in ten seconds: money in words on top, what needs review
first, clients by money at stake, one row per thing done, `+ ~ -`, and counts that mean
what they say."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from providers.sandbox.generator import generate
from reconciler.plan.change import Change
from reconciler.plan.plan import ClientDigest, ClientSummary, Plan, ReviewItem
from reconciler.report.render import render
from reconciler.report.render.markdown import LIMIT
from tests.gitops.conftest import DATE, TODAY, edit_world, ncesync, plan_json
from tests.kit.capabilities import capabilities

ROOT = Path(__file__).parents[2]


def _change(client: str, runrate: str, one_off: str = "0.00", **kw) -> Change:
    fields = {
        "action": "set_quantity",
        "client_id": f"id-{client}",
        "client_name": client,
        "agreement_id": 1,
        "product_id": "P",
        "product_key": "m365",
        "line_kind": "main",
        "reason": "Dicker Data has more",
        "effective_date": "2024-06-15",
        "line_id": 7,
        "before": {"quantity": 10},
        "after": {"quantity": 12},
        "runrate_change": runrate,
        "one_off": one_off,
    }
    return Change(**{**fields, **kw})


def _plan() -> Plan:
    changes = (
        _change("Aardvark Ltd", "10.00"),
        _change("Bilby Ltd", "-500.00"),
        _change("Cassowary Ltd", "0.00", "100.00"),
    )
    return Plan(
        sync_type="daily",
        sync_date="2024-06-15",
        psa="connectwise",
        words=capabilities("connectwise").words,
        changes=changes,
        review=(
            ReviewItem("seat-change", "seats 10 → 12", "id-Aardvark Ltd", "Aardvark Ltd", "m365"),
            ReviewItem("seat-change", "seats 10 → 1", "id-Bilby Ltd", "Bilby Ltd", "m365"),
        ),
        clients={c.client_id: ClientSummary(c.client_name, 10, 12, 1, ClientDigest("", "", "")) for c in changes},
    )


def _order(text: str, *names: str) -> list[int]:
    return [text.index(name) for name in names]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_clients_come_in_order_of_money_at_stake(fmt: str) -> None:
    text = render(_plan().to_json(), fmt)
    body = text[text.index("Summary" if fmt == "markdown" else "Needs review") :]
    first, second, third = _order(
        body,
        "<b>Bilby Ltd" if fmt == "markdown" else "\nBilby Ltd [",
        "<b>Cassowary Ltd" if fmt == "markdown" else "\nCassowary Ltd [",
        "<b>Aardvark Ltd" if fmt == "markdown" else "\nAardvark Ltd [",
    )
    assert first < second < third  # $500 run-rate, then $100 one-off, then $10


def test_the_markdown_plan_says_the_money_in_words_then_what_needs_review_then_the_totals() -> None:
    text = render(_plan().to_json(), "markdown")
    lines = text.splitlines()
    assert lines[3] == "**-$490.00/month and +$100.00 one-off from 3 clients; 2 need review.**"
    review, summary, first_client = _order(text, "#### :mag: Needs review: 2 items", "#### Summary", "<details")
    assert review < summary < first_client
    table = text[review:summary]
    assert "| client | licence | what and why |" in table
    assert table.index("| Bilby Ltd | m365 | seats 10 → 1 |") < table.index("| Aardvark Ltd |")  # by money
    assert "| total | this plan |\n|---|---|\n| seat changes | **3** |\n| lines created | **0** |" in text


def test_the_text_plan_says_the_money_in_words_and_lists_what_needs_review() -> None:
    text = render(_plan().to_json(), "text")
    assert text.splitlines()[1] == "-$490.00/month and +$100.00 one-off from 3 clients; 2 need review"
    assert "Needs review (2):\n  * Bilby Ltd (m365): seats 10 → 1\n  * Aardvark Ltd (m365): seats 10 → 12\n" in text


def test_created_reads_plus_and_changed_reads_tilde() -> None:
    plan = Plan(
        sync_type="daily",
        sync_date="2024-06-15",
        psa="autotask",
        words=capabilities("autotask").words,
        changes=(
            _change(
                "A",
                "50.00",
                action="create_adjustment",
                line_id=None,
                before={},
                after={"quantity": 5, "unit_price": "10.00", "unit_cost": "8.00", "units_in_force": 5},
            ),
            _change(
                "B",
                "10.00",
                action="create_adjustment",
                before={"units_in_force": 4},
                after={"quantity": 1, "unit_price": "10.00", "units_in_force": 5},
            ),
        ),
    )
    text = render(plan.to_json(), "text")
    assert "  + m365 (P) on contract 1: new contract service, 5 seats at $10.00 from 2024-06-15" in text
    assert "  ~ m365 (P) on contract 1: adjustment +1 units effective 2024-06-15" in text
    assert "agreement" not in text
    assert plan.totals()["lines_created"] == 1 and plan.totals()["seats_changed"] == 1
    markdown = render(plan.to_json(), "markdown")
    assert "| + | m365 | 1 | new contract service: 5 seats at $10.00 from 2024-06-15 |" in markdown
    assert "| ~ | m365 | 1 | seats 4 → 5 from 2024-06-15 (adjustment +1) |" in markdown
    assert "| | licence | contract | change |" in markdown and "agreement" not in markdown


@pytest.fixture
def autotask_example(tmp_path: Path) -> Path:
    root = tmp_path / "autotask-arrears"
    shutil.copytree(ROOT / "examples" / "autotask-arrears", root, ignore=shutil.ignore_patterns(".ncesync"))
    return root


def test_an_autotask_seat_change_and_its_description_update_read_as_one_row(autotask_example: Path) -> None:
    data = json.loads(ncesync("plan", "-C", str(autotask_example), *DATE, "--format", "json").stdout)
    assert [c["action"] for c in data["changes"]] == ["create_adjustment", "update_line"]  # two writes
    totals = data["totals"]
    assert (totals["seats_changed"], totals["lines_created"], totals["descriptions_updated"]) == (1, 0, 1)
    text = ncesync("plan", "-C", str(autotask_example), *DATE).stdout
    rows = [line for line in text.splitlines() if line.startswith(("  ~ ", "  + ", "  - "))]
    assert rows == [
        (
            "  ~ entra-id-p1 (9009) on contract 7001: adjustment +3 units effective 2024-06-01; "
            "invoice description updated; run-rate +$33.00/month"
        )
    ]
    assert "Plan: 1 seat change, 0 lines created, 1 description updated; run-rate +$33.00/month" in text
    markdown = ncesync("plan", "-C", str(autotask_example), *DATE, "--format", "markdown").stdout
    assert markdown.count("| ~ |") == 1 and "1 change ·" in markdown


def test_the_400_client_gitops_example_shows_review_first_and_fits_a_comment(tmp_path: Path) -> None:
    root = tmp_path / "gitops-400"
    generate(root, clients=400, seed=19, today=TODAY)
    result = ncesync("plan", "-C", str(root), *DATE, "--format", "markdown", "--quiet")
    assert result.code in (0, 2, 3), result.stderr
    text = result.stdout
    assert len(text) < LIMIT
    review = text.index("#### :mag: Needs review")
    assert review < text.index("#### Summary") < text.index("<details")
    assert "need review" in text.splitlines()[3]


def _raise_cost(world: dict) -> None:
    """Microsoft's price rise: one monthly-billed subscription's Dicker Data cost goes up."""
    sub = next(
        s
        for s in world["dickerdata"]["subscriptions"]  # Business Basic of Coastal Legal Partners
        if s["StockCode"] == "P1Y:CFQ7TTC0LDPB:0001:1:" and s["TenantId"].startswith("bfeaa155")
    )
    sub["UnitPrice"] = f"{Decimal(sub['UnitPrice']) + Decimal('0.50'):.2f}"


def test_cost_drift_is_its_own_kind_of_change_with_the_margin_effect(deployment: Path) -> None:
    edit_world(deployment, _raise_cost)
    data = plan_json(deployment, "--client", "coastal-legal-partners")
    [cost] = [c for c in data["changes"] if "unit_cost" in c["before"]]
    assert cost["runrate_change"] == "0.00" and cost["margin_change"].startswith("-")
    assert data["totals"]["costs_updated"] == 1
    assert [r["kind"] for r in data["review"]] == ["cost-drift"]
    text = ncesync("plan", "-C", str(deployment), *DATE, "--client", "coastal-legal-partners").stdout
    row = next(line for line in text.splitlines() if "unit_cost" in line)
    assert f"; margin -${cost['margin_change'][1:]}/month" in row
    assert "1 cost updated" in text
    markdown = ncesync(
        "plan", "-C", str(deployment), *DATE, "--format", "markdown", "--client", "coastal-legal-partners"
    ).stdout
    assert "| unit costs updated (Dicker Data's cost) | 1 |" in markdown
    assert f"(margin -${cost['margin_change'][1:]}/month)" in markdown


def test_with_unit_cost_leave_the_psa_cost_is_not_touched(deployment: Path) -> None:
    edit_world(deployment, _raise_cost)
    settings = deployment / "specs" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "unit_cost: leave\n", encoding="utf-8")
    data = plan_json(deployment, "--client", "coastal-legal-partners")
    assert not [c for c in data["changes"] if "unit_cost" in c["before"]]
    assert data["totals"]["costs_updated"] == 0


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_show_of_a_saved_plan_renders_exactly_what_plan_printed(deployment: Path, fmt: str) -> None:
    edit_world(deployment, _raise_cost)  # a plan with a review entry and a cost update
    saved = deployment / ".ncesync" / "plan.json"
    printed = ncesync("plan", "-C", str(deployment), *DATE, "--format", fmt, "--out", str(saved))
    assert printed.code == 0 and "review" in json.loads(saved.read_text(encoding="utf-8"))
    shown = ncesync("show", str(saved), "--format", fmt)
    assert shown.code == 0
    assert shown.stdout == printed.stdout
