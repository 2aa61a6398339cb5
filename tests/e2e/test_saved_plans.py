"""Saved plans: `apply plan.json` writes exactly the reviewed changes, or refuses (exit 4)
saying what changed since the plan was made."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from tests.e2e.worlds import connectwise_world, edit_working_world, working_world, write_deployment

DAY = ("--date", "2024-06-15")


def deploy(run, quantity: int = 15):
    write_deployment(run.root, connectwise_world(quantity=quantity, prorate=False), style="advance")
    plan_file = run.root / "plan.json"
    code, out = run("plan", *DAY, "--out", str(plan_file))
    assert code == 0, out
    # the hint names the deployment when it is not the current folder
    assert f"apply it with: ncesync apply {plan_file} -C {run.root}" in out
    return plan_file


def test_a_saved_plan_applies_exactly_its_changes_without_a_prompt(run) -> None:
    plan_file = deploy(run)
    saved = json.loads(plan_file.read_text())
    assert [c["action"] for c in saved["changes"]] == ["set_quantity"]
    code, out = run("apply", str(plan_file))
    assert code == 0, out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [15]


@pytest.mark.parametrize("extra", [("--date", "2024-07-20"), ("--client", "contoso")])
def test_a_saved_plan_takes_no_other_date_or_client(run, extra: tuple[str, str]) -> None:
    """It applies what was reviewed: another date or client is a usage error, nothing written."""
    plan_file = deploy(run)
    code, out = run("apply", str(plan_file), *extra)
    assert code == 64, out
    assert f"{extra[0]} cannot be used with a saved plan" in out
    assert out.strip().splitlines()[0].startswith("ncesync apply: failed (exit 64)")
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


def test_dicker_data_changing_after_the_plan_makes_it_stale(run) -> None:
    plan_file = deploy(run)
    edit_working_world(run.root, lambda w: w["dickerdata"]["subscriptions"][0].update(ConfirmedQuantity=16))
    code, out = run("apply", str(plan_file))
    assert code == 4
    assert "Contoso Ltd" in out and "Dicker Data changed" in out and "Dicker Data 15 -> 16" in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


def test_a_hand_edit_in_the_psa_after_the_plan_makes_it_stale(run) -> None:
    plan_file = deploy(run)
    edit_working_world(run.root, lambda w: w["connectwise"]["additions"][0].update(quantity=13))
    code, out = run("apply", str(plan_file))
    assert code == 4
    assert "the PSA was edited" in out and "PSA 12 -> 13" in out


def test_apply_without_approval_asks_and_writes_nothing_on_no(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    code, out = run("apply", *DAY, input="n\n")
    assert code == 1 and "Nothing was written." in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


def test_show_renders_a_saved_plan_in_each_format(run) -> None:
    plan_file = deploy(run)
    for fmt, expected in (("text", "quantity 12 -> 15"), ("json", '"format_version": 1'), ("markdown", "Contoso Ltd")):
        result = CliRunner().invoke(cli, ["show", str(plan_file), "--format", fmt])
        assert result.exit_code == 0 and expected in result.output, result.output


def test_a_hand_edited_plan_file_is_refused(run) -> None:
    plan_file = deploy(run)
    data = json.loads(plan_file.read_text())
    data["changes"][0]["after"]["quantity"] = 400
    plan_file.write_text(json.dumps(data))
    code, out = run("apply", str(plan_file))
    assert code == 4 and "not the changes ncesync plans from the same inputs" in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


@pytest.mark.parametrize("content", ["{}", "[]", '{"format_version": 1, "changes": [{"action": "create_line"}]}'])
def test_show_and_apply_refuse_a_file_that_is_not_a_plan(run, tmp_path, content) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    bogus = tmp_path / "bogus.json"
    bogus.write_text(content)
    result = CliRunner().invoke(cli, ["show", str(bogus)])
    assert result.exit_code == 1 and "not an ncesync plan" in result.output and "Traceback" not in result.output
    code, out = run("apply", str(bogus))
    assert code == 1 and "not an ncesync plan" in out and "Traceback" not in out


@pytest.mark.parametrize(
    "target", [".ncesync/journal.jsonl", "specs/settings.yaml", "specs/clients/new.json", ".ncesync/world.json"]
)
def test_a_plan_is_never_saved_over_the_deployment_s_own_files(run, target: str) -> None:
    """`--out .ncesync/journal.jsonl` replaced the audit trail with the plan, and every line
    of it then read as damaged; the specs and the sandbox's world the same way."""
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    run("apply", *DAY, "--auto-approve")  # a journal and a working world to keep
    before = (run.root / target).read_bytes() if (run.root / target).exists() else None
    code, out = run("plan", *DAY, "--out", str(run.root / target))
    assert code == 64, out
    assert "the deployment's own" in out and "save the plan elsewhere" in out
    assert ((run.root / target).read_bytes() if (run.root / target).exists() else None) == before
