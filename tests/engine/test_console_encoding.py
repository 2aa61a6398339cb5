"""A console whose encoding cannot write a character ncesync prints (a Latin-1 or cp1252
terminal, a client named with a macron) gets an escape for it, never an error halfway
through the output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]


def test_a_plan_on_a_latin_1_console_escapes_what_it_cannot_write(tmp_path: Path) -> None:
    root = tmp_path / "dep"
    shutil.copytree(REPO / "examples" / "autotask-arrears", root, ignore=shutil.ignore_patterns(".ncesync"))
    client = next((root / "specs" / "clients").glob("*.yaml"))
    lines = client.read_text(encoding="utf-8").splitlines()
    client.write_text(
        "\n".join('name: "Kōrero — Ltd"' if ln.startswith("name:") else ln for ln in lines) + "\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", "from reconciler.cli.main import main; main()", "plan", "-C", str(root)],
        env=env,
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    out = done.stdout.decode("latin-1") + done.stderr.decode("latin-1")
    assert done.returncode == 0, out
    assert "K\\u014drero \\u2014 Ltd" in out and "Internal error" not in out
