"""What a new user meets first: `sandbox init` says what to run next, the README's saved
plan goes into the git-ignored run state, and the Autotask example runs as its README says
on any day."""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import pytest

from reconciler.run import runtime
from tests.gitops.conftest import ncesync

ROOT = Path(__file__).parents[2]


def test_sandbox_init_ends_with_the_next_command_and_that_command_works(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    result = ncesync("sandbox", "init", "-C", str(root), "--clients", "3", "--seed", "7", "--date", "2024-06-15")
    assert result.code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last == f"Next: ncesync plan -C {root} --date 2024-06-15"
    follow = ncesync(*shlex.split(last.removeprefix("Next: ncesync ")))
    assert follow.code in (0, 2), follow.stderr
    assert follow.stdout.startswith("Plan for 2024-06-15")


def test_the_readmes_saved_plans_go_to_the_git_ignored_run_state() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outs = [o for o in re.findall(r"--out (\S+)", readme) if o != "FILE]"]  # not the usage line
    assert outs, "the README shows `plan --out`"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for out in outs:
        assert any(out.startswith(folder) for folder in ignored if folder.endswith("/")), out


def test_plan_out_creates_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    ncesync("sandbox", "init", "-C", str(root), "--clients", "2", "--date", "2024-06-15")
    out = root / ".ncesync" / "plans" / "plan.json"
    result = ncesync("plan", "-C", str(root), "--date", "2024-06-15", "--out", str(out))
    assert result.code == 0 and out.exists(), result.stderr


def _readme_commands(example: Path) -> list[list[str]]:
    text = (example / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("#")[0])[1:] for line in block.strip().splitlines()]


@pytest.mark.parametrize("today", [date(2024, 6, 15), date(2026, 12, 1), date(2031, 2, 28)])
def test_the_autotask_example_runs_as_its_readme_says_on_any_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: date
) -> None:
    example = tmp_path / "examples" / "autotask-arrears"
    shutil.copytree(ROOT / "examples" / "autotask-arrears", example, ignore=shutil.ignore_patterns(".ncesync"))
    monkeypatch.setattr(runtime, "today_in", lambda timezone: today)
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands(example)
    assert [c[0] for c in commands] == ["validate", "plan", "apply", "plan"]
    assert not any("--date" in c for c in commands)
    results = [ncesync(*c) for c in commands]
    assert [r.code for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert "Plan: 1 seat change, 0 lines created, 1 description updated" in results[1].stdout
    assert "No changes. The PSA matches Dicker Data." in results[3].stdout
