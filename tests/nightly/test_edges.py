"""Edges that gave a traceback or the wrong message: far-off and impossible dates, specs that
validated but could not run, a plan from another PSA or version, usage errors exiting with
the code that means "changes present", and an apply stopped or left without a terminal."""

from __future__ import annotations

import json
import signal

import pytest
import yaml
from click.testing import CliRunner

from reconciler.apply.journal import read_journal
from reconciler.cli.main import cli
from reconciler.specs import validate_deployment
from tests.e2e.worlds import (
    autotask_world,
    connectwise_world,
    three_clients_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)
from tests.nightly import processes

DAY = ("--date", "2024-06-15")


def cw_deployment(root, quantity: int = 15):
    return write_deployment(root, connectwise_world(quantity=quantity, prorate=False), style="advance")


def with_template(root, template: str) -> None:
    settings = root / "specs" / "settings.yaml"
    data = yaml.safe_load(settings.read_text())
    data["invoice_description"] = template
    settings.write_text(yaml.safe_dump(data))


@pytest.mark.parametrize("psa", ["connectwise", "autotask"])
def test_a_far_off_sync_date_is_a_usage_error_not_a_traceback(run, psa) -> None:
    if psa == "autotask":
        write_autotask_deployment(run.root, autotask_world(quantity=15), style="advance", prorate=False)
    else:
        cw_deployment(run.root)
        with_template(run.root, "{{ licence.name }} to {{ period.end }}")
    code, out = run("plan", "--date", "9999-12-31")
    assert code == 64, out
    assert "9999-12-31 is outside the sync dates ncesync plans for (2000-01-01 to 2099-12-31)" in out
    assert "Traceback" not in out and "template" not in out


def test_an_impossible_date_says_which_day_does_not_exist(run) -> None:
    cw_deployment(run.root)
    code, out = run("plan", "--date", "2026-02-30")
    assert code == 64
    assert "2026-02-30 is not a calendar date: February 2026 has 28 days" in out
    assert "does not match the format" not in out
    code, out = run("plan", "--date", "15/06/2024")
    assert code == 64 and "'15/06/2024' is not a date like 2024-06-15" in out


@pytest.mark.parametrize(
    "args", [("plan", "--bogus"), ("plan", "--format", "pdf"), ("apply", "a.json", "b.json"), ("nosuchcommand",)]
)
def test_usage_errors_exit_64_never_2(run, args) -> None:
    cw_deployment(run.root)
    code, out = run(*args)
    assert code == 64, out
    assert "Usage:" in out or "No such command" in out


def test_the_exit_codes_are_documented() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for code, words in (("64", "usage"), ("70", "bug"), ("130", "Ctrl-C"), ("143", "SIGTERM")):
        row = next((ln for ln in readme.splitlines() if ln.startswith(f"| {code} |")), "")
        assert words.lower() in row.lower(), code


def test_validate_rejects_a_psa_provider_that_is_not_installed(run) -> None:
    cw_deployment(run.root)
    settings = run.root / "specs" / "settings.yaml"
    settings.write_text(settings.read_text().replace("provider: connectwise", "provider: halopsa"))
    _, problems = validate_deployment(run.root)
    [problem] = problems
    assert problem.pointer == "/psa/provider" and "unknown provider 'halopsa'" in problem.message
    assert "installed providers: autotask, connectwise, dickerdata" in problem.message
    code, out = run("validate")
    assert code == 1 and "settings.yaml:" in out and "/psa/provider: unknown provider 'halopsa'" in out


def test_validate_rejects_a_source_used_as_the_psa(run) -> None:
    cw_deployment(run.root)
    settings = run.root / "specs" / "settings.yaml"
    settings.write_text(settings.read_text().replace("provider: connectwise", "provider: dickerdata"))
    _, problems = validate_deployment(run.root)
    assert [(p.pointer, p.message) for p in problems] == [
        ("/psa/provider", "provider 'dickerdata' is not a PSA, so it cannot be the psa")
    ]


def test_validate_rejects_a_customer_id_that_is_not_a_tenant_id(run) -> None:
    cw_deployment(run.root)
    client = run.root / "specs" / "clients" / "contoso.yaml"
    client.write_text(client.read_text().replace("2b7f0c1e-5d7a-4b0e-9a55-0c4f1f1f0a01", "not-a-uuid"))
    code, out = run("validate")
    assert code == 1
    assert "contoso.yaml:2:17: /dd_customer_id: 'not-a-uuid' is not a Dicker Data customer id" in out


@pytest.mark.parametrize("template", ["{{ '' }}", "   ", "{% if false %}x{% endif %}"])
def test_a_template_that_renders_empty_fails_validation(run, template) -> None:
    cw_deployment(run.root)
    with_template(run.root, template)
    code, out = run("validate")
    assert code == 1 and "/invoice_description: invoice description template renders an empty description" in out


def test_a_template_empty_for_one_licence_does_not_blank_its_line(run) -> None:
    """Valid on sample data, empty on this client's: that licence is an error, not a blank."""
    cw_deployment(run.root)
    with_template(run.root, "{% if client.id != '2b7f0c1e-5d7a-4b0e-9a55-0c4f1f1f0a01' %}{{ licence.name }}{% endif %}")
    code, out = run("validate")
    assert code == 0, out
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 1 and "renders an empty description" in out
    assert [a["invoiceDescription"] for a in working_world(run.root)["connectwise"]["additions"]] == [""]


def test_an_autotask_plan_applied_to_a_connectwise_deployment_names_the_mismatch(tmp_path) -> None:
    at = write_autotask_deployment(tmp_path / "at", autotask_world(quantity=15), style="advance", prorate=False)
    cw = cw_deployment(tmp_path / "cw")
    runner = CliRunner()
    assert runner.invoke(cli, ["plan", "-C", str(at), *DAY, "--out", str(tmp_path / "plan.json")]).exit_code == 0
    result = runner.invoke(cli, ["apply", str(tmp_path / "plan.json"), "-C", str(cw)])
    assert result.exit_code == 1
    assert "plan.json was made for an autotask deployment" in result.output
    assert "syncs into connectwise" in result.output and "the PSA was edited" not in result.output
    assert not (cw / ".ncesync" / "world.json").exists()  # refused before anything was read


@pytest.mark.parametrize(
    ("version", "words"),
    [
        (2, "was made by a newer ncesync (plan format 2; this ncesync reads format 1)"),
        (0, "has plan format 0, which this ncesync does not read"),
    ],
)
def test_a_plan_of_another_format_version_says_what_to_do(run, tmp_path, version, words) -> None:
    cw_deployment(run.root)
    plan_file = tmp_path / "plan.json"
    assert run("plan", *DAY, "--out", str(plan_file))[0] == 0
    data = json.loads(plan_file.read_text())
    data["format_version"] = version
    plan_file.write_text(json.dumps(data))
    code, out = run("apply", str(plan_file))
    assert code == 1 and words in out and "ncesync plan --out" in out
    assert "(1 was expected)" not in out


def test_apply_without_a_terminal_says_so_instead_of_aborted(run) -> None:
    cw_deployment(run.root)
    code, out = run("apply", *DAY, input="")  # stdin at its end: cron, or CI without --auto-approve
    assert code == 1
    assert "Aborted!" not in out
    assert "No answer to the confirmation" in out and "--auto-approve" in out and "Nothing was written." in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [12]


def test_an_unexpected_error_is_one_line_not_a_traceback(run, monkeypatch) -> None:
    cw_deployment(run.root)
    import reconciler.run.orchestrator as plan_command

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(plan_command, "plan_run", broken)
    result = CliRunner().invoke(cli, ["plan", "-C", str(run.root), *DAY])
    assert result.exit_code == 70
    assert (
        "Internal error (a bug in ncesync; please report it): RuntimeError: something nobody expected" in result.output
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_an_apply_stopped_by_a_signal_finishes_its_write_and_counts_the_writes(tmp_path, sig, code, name) -> None:
    world, clients = three_clients_world()
    root = write_deployment(tmp_path, world, style="advance", clients=clients)
    env = processes.environment(faults=[{"kind": "slow", "delay": 0.4, "times": 0, "method": "PATCH"}])
    process = processes.start("apply", "-C", str(root), *DAY, "--auto-approve", env=env)
    processes.wait_for(
        lambda: any(e["outcome"] == "started" for e in processes.journal_lines(root)), what="the first write to start"
    )
    returncode, out = processes.kill(process, sig)
    assert returncode == code, out
    applied = [e for e in read_journal(root) if e["outcome"] == "applied"]
    assert len(applied) >= 1  # the write in flight was finished and journaled
    assert f"Interrupted ({name}) after {len(applied)} write" in out and "Rerun apply to finish" in out
    assert f"{len(applied)} of 3 changes written" in out.strip().splitlines()[-1], out  # the summary line agrees
    assert "Aborted!" not in out and "Traceback" not in out
    changed = sum(
        1 for a in working_world(root)["connectwise"]["additions"] if a["quantity"] != a["_history"][0]["quantity"]
    )
    assert changed == len(applied)
    code_again, out = processes.run("apply", "-C", str(root), *DAY, "--auto-approve")
    assert code_again == 0, out
    assert sorted(a["quantity"] for a in working_world(root)["connectwise"]["additions"]) == [4, 8, 15]


def test_ctrl_c_while_planning_says_nothing_was_written(tmp_path) -> None:
    root = cw_deployment(tmp_path)
    env = processes.environment(
        faults=[{"kind": "slow", "delay": 5, "times": 0, "method": "GET", "vendor": "connectwise"}]
    )
    process = processes.start("apply", "-C", str(root), *DAY, "--auto-approve", env=env)
    processes.wait_for(
        lambda: (root / ".ncesync" / "locks").exists() and any((root / ".ncesync" / "locks").iterdir()),
        what="the apply to take its lock",
    )
    returncode, out = processes.kill(process, signal.SIGINT)
    assert returncode == 130, out
    assert "Interrupted (Ctrl-C) before any write; nothing was written." in out
    assert "Aborted!" not in out and "Traceback" not in out
