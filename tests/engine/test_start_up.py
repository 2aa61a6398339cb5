"""ncesync starts once per cron job and per CI check, and many times in this suite: the
command line loads a command's modules only when that command runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]
HEAVY = ["reconciler.plan.planner", "reconciler.apply.apply", "providers.sandbox.server", "requests", "smtplib"]


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_command_line_loads_no_command_before_one_runs() -> None:
    loaded = _loaded_after("import reconciler.cli.main")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_every_command_is_listed_and_loads_when_asked_for() -> None:
    from click.testing import CliRunner

    from reconciler.cli.main import COMMANDS, cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert set(COMMANDS) | {"sandbox"} == listed
    for name in COMMANDS:
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0, name
