"""Request budgets: the CLI in-process against a sandbox whose request counts we read.

Each deployment is generated once per module (8 licences per client, as at MSP scale) and
every test starts from a fresh copy of its world.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from providers.sandbox import SandboxServer
from providers.sandbox.generator import WORLD_REL, generate
from reconciler.cli.main import cli
from reconciler.run.runtime import SANDBOX_URL_VARIABLE

TODAY = date(2024, 6, 15)
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


@dataclass
class Bench:
    root: Path
    server: SandboxServer

    def run(self, *args: str) -> Result:
        """`ncesync <args> -C root`; the sandbox's counts then cover this command only."""
        self.server.counts.reset()
        return CliRunner().invoke(cli, [*args, "-C", str(self.root)], catch_exceptions=False)

    def plan(self, *args: str) -> dict[str, Any]:
        result = self.run("plan", "--date", TODAY.isoformat(), "--format", "json", "--force", "--quiet", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def apply(self, *args: str) -> Result:
        result = self.run("apply", "--date", TODAY.isoformat(), "--auto-approve", "--force", "--quiet", *args)
        assert result.exit_code == 0, result.output
        return result

    def counts(self, vendor: str) -> dict[str, int]:
        """Requests to one vendor, labelled `METHOD /path` (query pages included)."""
        return {
            label.split(" ", 2)[0] + " " + label.split(" ", 2)[2]: n
            for label, n in self.server.counts.as_dict().items()
            if label.split(" ")[1] == vendor
        }

    def writes(self, vendor: str) -> dict[str, int]:
        return {
            label: n
            for label, n in self.counts(vendor).items()
            if label.startswith(WRITE_METHODS) and "/query" not in label
        }

    def world(self) -> dict[str, Any]:
        return self.server.world()


def generated(tmp_path_factory: pytest.TempPathFactory, psa: str, clients: int, drift: float) -> Path:
    root = tmp_path_factory.mktemp(f"{psa}-{clients}")
    generate(root, clients=clients, seed=5, psa=psa, today=TODAY, licences_per_client=8, drift_share=drift)
    return root


def bench_on(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    root = tmp_path / "deployment"
    shutil.copytree(template, root)
    server = SandboxServer(root / WORLD_REL, clock=TODAY, persist="on_stop").start()
    monkeypatch.setenv(SANDBOX_URL_VARIABLE, server.url)
    try:
        yield Bench(root, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def cw_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, "connectwise", 120, drift=0.25)


@pytest.fixture(scope="session")
def at_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, "autotask", 120, drift=0.25)


@pytest.fixture(scope="session")
def small_cw_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, "connectwise", 30, drift=0.25)


@pytest.fixture
def cw(cw_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    yield from bench_on(cw_template, tmp_path, monkeypatch)


@pytest.fixture
def small_cw(small_cw_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    yield from bench_on(small_cw_template, tmp_path, monkeypatch)


@pytest.fixture
def at(at_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    yield from bench_on(at_template, tmp_path, monkeypatch)
