"""What a scheduler reads: exit codes, a one-line final summary on stderr, JSON log lines
that carry the run id, the journal under the same id, and `--version`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reconciler
from reconciler.apply.journal import read_journal
from tests.gitops.conftest import DATE, ncesync
from tests.notify.conftest import set_notify


def _last(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def test_apply_ends_with_one_summary_line(deployment: Path) -> None:
    result = ncesync("apply", "-C", str(deployment), *DATE, "--auto-approve")
    assert result.code == 0
    line = _last(result.stderr)
    assert line.startswith("ncesync apply: ok (exit 0) in ")
    written = len([e for e in read_journal(deployment) if e.get("outcome") == "applied"])
    assert f"; {written} of {written} changes written; run-rate +$" in line
    run_id = line.split(", run ", 1)[1].split(";")[0]
    assert {e["run_id"] for e in read_journal(deployment)} == {run_id}


@pytest.mark.parametrize(
    "extra, expected",
    [
        ((), "ncesync plan: ok, changes present (exit 2)"),
        (("--client", "nobody"), "ncesync plan: failed (exit 1)"),
    ],
)
def test_plan_ends_with_one_summary_line_whatever_happens(
    deployment: Path, extra: tuple[str, ...], expected: str
) -> None:
    result = ncesync("plan", "-C", str(deployment), *DATE, "--detailed-exitcode", *extra)
    assert _last(result.stderr).startswith(expected)
    if result.code == 1:
        assert "error: --client 'nobody' names no client mapping" in _last(result.stderr)


def test_a_refusal_says_so_on_the_last_line(deployment: Path) -> None:
    set_notify(deployment, safety={"max_runrate_change": 1})  # no channel: only the guard changes
    result = ncesync("apply", "-C", str(deployment), *DATE, "--auto-approve")
    assert result.code == 3
    assert _last(result.stderr).startswith("ncesync apply: refused by the safety guards (exit 3)")


def test_json_logs_carry_the_schedulers_run_id_and_end_with_a_json_summary(
    deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCESYNC_RUN_ID", "k8s-job-28461")
    result = ncesync(
        "--log-format",
        "json",
        "--log-level",
        "info",
        "apply",
        "-C",
        str(deployment),
        *DATE,
        "--auto-approve",
        "--quiet",
    )
    assert result.code == 0
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    logs, summary = lines[:-1], lines[-1]
    assert logs and all(entry["run_id"] == "k8s-job-28461" for entry in logs)
    assert summary["event"] == "summary" and summary["run_id"] == "k8s-job-28461"
    assert summary["command"] == "apply" and summary["exit_code"] == 0 and summary["applied"] > 0
    assert {e["run_id"] for e in read_journal(deployment)} == {"k8s-job-28461"}


def test_version() -> None:
    result = ncesync("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"ncesync, version {reconciler.__version__}"


@pytest.mark.parametrize("run_id", ["abc\nncesync apply: ok (exit 0)", "nightly-42\n", "two words", ""])
def test_a_run_id_that_could_forge_a_log_line_is_refused(deployment: Path, run_id: str) -> None:
    result = ncesync("--run-id", run_id, "plan", "-C", str(deployment), *DATE)
    assert result.code == 64
    assert "--run-id: must be one word of printable ASCII" in result.stderr


def test_a_client_name_on_several_lines_is_a_spec_problem(deployment: Path) -> None:
    client = next((deployment / "specs" / "clients").glob("*.yaml"))
    text = client.read_text()
    name = next(line for line in text.splitlines() if line.startswith("name: "))
    for forged in ("Contoso\\nncesync apply: ok (exit 0)", "Contoso\\n", "Contoso\\u2028x"):
        client.write_text(text.replace(name, f'name: "{forged}"'))
        result = ncesync("validate", "-C", str(deployment))
        assert result.code == 1, forged
        assert "/name: " in result.stdout + result.stderr and "is not one line of text" in result.stdout + result.stderr
