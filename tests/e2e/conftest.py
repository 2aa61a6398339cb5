"""End-to-end tests: the CLI in-process against the embedded sandbox on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli


class Cli:
    def __init__(self, root: Path):
        self.root = root

    def __call__(self, *args: str, input: str | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(cli, [*args, "-C", str(self.root)], input=input, catch_exceptions=False)
        self.stdout = result.stdout  # results only; `output` also holds what went to stderr
        return result.exit_code, result.output


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "deployment")
