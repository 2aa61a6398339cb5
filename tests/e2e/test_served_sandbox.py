"""Every provider, and `ncesync doctor`, can be pointed at a separately served sandbox (as
`ncesync sandbox serve` runs it, or a team's staging tenant) with real-style `env:`
credentials: endpoints accept http:// on loopback addresses only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from providers.sandbox import SANDBOX_CREDENTIALS, SandboxServer
from reconciler.cli.main import cli
from reconciler.secrets import KNOWN
from tests.e2e.worlds import (
    autotask_world,
    three_clients_world,
    write_autotask_deployment,
    write_deployment,
)

DAY = ("--date", "2024-06-15")
ENV = {
    "CW_COMPANY": SANDBOX_CREDENTIALS["connectwise"]["company_id"],
    "CW_PUBLIC": SANDBOX_CREDENTIALS["connectwise"]["public_key"],
    "CW_PRIVATE": SANDBOX_CREDENTIALS["connectwise"]["private_key"],
    "CW_CLIENT_ID": SANDBOX_CREDENTIALS["connectwise"]["client_id"],
    "AT_USER": SANDBOX_CREDENTIALS["autotask"]["username"],
    "AT_SECRET": SANDBOX_CREDENTIALS["autotask"]["secret"],
    "AT_CODE": SANDBOX_CREDENTIALS["autotask"]["integration_code"],
    "DD_ACCOUNT": SANDBOX_CREDENTIALS["dickerdata"]["account_code"],
    "DD_TOKEN": SANDBOX_CREDENTIALS["dickerdata"]["access_token"],
}


@pytest.fixture(autouse=True)
def forget_the_demo_secrets() -> Iterator[None]:
    """The demo credentials are resolved as real secrets here, so the process masks them from
    then on ("sandbox" among them); later tests must not see their output masked."""
    known = KNOWN.snapshot()
    yield
    KNOWN.forget_all_but(known)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, SandboxServer]]:
    root = tmp_path / "deployment"
    world, clients = three_clients_world()
    write_deployment(root, world, style="advance", clients=clients)
    with SandboxServer(root / "sandbox" / "world.json") as server:
        yield root, server


def point_at(root: Path, settings_edit: dict) -> None:
    path = root / "specs" / "settings.yaml"
    settings = yaml.safe_load(path.read_text())
    for block, values in settings_edit.items():
        settings[block] = values
    path.write_text(yaml.safe_dump(settings, sort_keys=False))


def ncesync(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "-C", str(root)], env=ENV, catch_exceptions=False)
    return result.exit_code, result.output


def served_connectwise(url: str) -> dict:
    return {
        "provider": "connectwise",
        "endpoint": f"{url}/connectwise",
        "company_id": "env:CW_COMPANY",
        "public_key": "env:CW_PUBLIC",
        "private_key": "env:CW_PRIVATE",
        "client_id": "env:CW_CLIENT_ID",
    }


def served_dicker_data(url: str) -> dict:
    return {
        "provider": "dickerdata",
        "endpoint": f"{url}/dickerdata",
        "account_code": "env:DD_ACCOUNT",
        "access_token": "env:DD_TOKEN",
    }


def test_plan_and_apply_against_a_served_sandbox_with_env_credentials(served) -> None:
    root, server = served
    point_at(root, {"psa": served_connectwise(server.url), "source": served_dicker_data(server.url)})
    code, out = ncesync(root, "validate")
    assert code == 0, out
    code, out = ncesync(root, "apply", *DAY, "--auto-approve")
    assert code == 0, out
    quantities = sorted((a["agreementId"], a["quantity"]) for a in server.world()["connectwise"]["additions"])
    assert quantities == [(1001, 15), (1002, 8), (1003, 4)]


def test_autotask_against_a_served_sandbox_discovers_its_zone_on_loopback(tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    write_autotask_deployment(root, autotask_world(quantity=15), style="advance", prorate=False)
    with SandboxServer(root / "sandbox" / "world.json") as server:
        point_at(
            root,
            {
                "psa": {
                    "provider": "autotask",
                    "endpoint": f"{server.url}/autotask",
                    "username": "env:AT_USER",
                    "secret": "env:AT_SECRET",
                    "integration_code": "env:AT_CODE",
                },
                "source": served_dicker_data(server.url),
            },
        )
        code, out = ncesync(root, "plan", *DAY)
        assert code == 0, out
        assert "+3" in out


@pytest.mark.parametrize("host", ["http://example.com", "http://10.1.2.3:8080"])
def test_plain_http_to_another_machine_is_refused_before_any_request(served, host: str) -> None:
    root, server = served
    point_at(root, {"psa": served_connectwise(host), "source": served_dicker_data(server.url)})
    code, out = ncesync(root, "validate")
    assert code == 1 and "/psa/endpoint" in out and "plain http:// only on this machine" in out
    assert server.counts.as_dict().get("GET connectwise /company/companies", 0) == 0
