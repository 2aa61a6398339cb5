"""`ncesync sandbox init|reset` through click (serve is the same server the other tests use)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from providers.sandbox import load_world
from providers.sandbox.cli import sandbox


def test_init_writes_a_deployment_and_its_working_copy(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        sandbox,
        ["init", "-C", str(tmp_path), "--clients", "3", "--seed", "5", "--psa", "autotask", "--date", "2024-06-15"],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "specs" / "settings.yaml").exists()
    assert load_world(tmp_path / ".ncesync" / "world.json") == load_world(tmp_path / "sandbox" / "world.json")
    again = runner.invoke(sandbox, ["init", "-C", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_reset_restores_the_working_world(tmp_path: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(sandbox, ["init", "-C", str(tmp_path), "--clients", "2", "--date", "2024-06-15"]).exit_code == 0
    )
    (tmp_path / ".ncesync" / "world.json").write_text("{}")
    result = runner.invoke(sandbox, ["reset", "-C", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert load_world(tmp_path / ".ncesync" / "world.json")["meta"]["clients"] == 2


def test_reset_without_a_world_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(sandbox, ["reset", "-C", str(tmp_path)])
    assert result.exit_code == 1 and "sandbox init" in result.output
