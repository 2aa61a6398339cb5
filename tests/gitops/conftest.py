"""Generated sandbox deployments and an in-process `ncesync` for the GitOps-kit tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from providers.sandbox.generator import WORLD_REL, generate
from reconciler.cli.main import cli

TODAY = date(2024, 6, 15)
DATE = ["--date", TODAY.isoformat()]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def ncesync(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def plan_json(root: Path, *extra: str) -> dict[str, Any]:
    result = ncesync("plan", "-C", str(root), *DATE, "--format", "json", *extra)
    assert result.code in (0, 2), result.stderr
    return json.loads(result.stdout)


def edit_world(root: Path, edit: Any) -> None:
    """Change the pristine sandbox world before the first run copies it."""
    path = root / WORLD_REL
    world = json.loads(path.read_text(encoding="utf-8"))
    edit(world)
    path.write_text(json.dumps(world, indent=1), encoding="utf-8")


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """Eight mapped clients and one unmapped Dicker Data customer, on ConnectWise."""
    root = tmp_path / "deployment"
    generate(root, clients=8, seed=7, today=TODAY)
    return root
