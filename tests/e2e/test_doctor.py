"""`ncesync doctor`: read-only checks with one line each and its fix; exit 0 only if all pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from providers.sandbox import SandboxServer
from providers.sandbox.faults import ENV_VAR
from reconciler.cli.main import cli
from tests.e2e.test_served_sandbox import ENV, forget_the_demo_secrets, point_at, served_connectwise  # noqa: F401
from tests.e2e.worlds import (
    autotask_world,
    three_clients_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)

DAY = ("--date", "2024-06-15")


def doctor(root: Path, env: dict | None = None) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["doctor", "-C", str(root), *DAY], env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


def line(lines: list[str], name: str) -> str:
    return next(ln for ln in lines if ln.split(maxsplit=1)[1].startswith(f"{name}:"))


@pytest.fixture
def cw(run) -> Path:
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    return run.root


@pytest.fixture
def at(run) -> Path:
    write_autotask_deployment(run.root, autotask_world(quantity=15), style="advance", prorate=False)
    return run.root


def test_a_healthy_connectwise_deployment_passes_every_check_and_writes_nothing(cw: Path) -> None:
    code, lines = doctor(cw)
    assert code == 0, lines
    names = [ln.split(maxsplit=1)[1].split(":")[0] for ln in lines[:-1]]
    assert names == [
        "specs",
        "source credentials",
        "source subscriptions",
        "mapped customers",
        "source request budget",
        "psa site",
        "psa credentials",
        "psa permissions",
        "mapped companies",
        "mapped agreements",
        "mapped products",
        "psa request budget",
        "mapping",
    ]
    assert all(ln.startswith("ok ") for ln in lines[:-1]) and lines[-1] == "All 13 checks passed."
    before = json.loads((cw / "sandbox" / "world.json").read_text())["connectwise"]
    assert working_world(cw)["connectwise"] == before  # read-only


def test_a_healthy_autotask_deployment_passes_with_its_zone_and_budget(at: Path) -> None:
    code, lines = doctor(at)
    assert code == 0, lines
    assert "/autotask/atservicesrest" in line(lines, "psa zone")
    assert "requests used in the last 60 minutes" in line(lines, "psa request budget")


def test_records_the_mapping_needs_that_are_missing_inactive_or_unreadable_fail_with_the_fix(cw: Path) -> None:
    world = json.loads((cw / "sandbox" / "world.json").read_text())
    agreements = world["connectwise"]["agreements"]
    agreements[1]["agreementStatus"] = "Cancelled"
    del agreements[2]["billingCycle"]
    world["connectwise"]["catalog"][0]["inactiveFlag"] = True
    (cw / "sandbox" / "world.json").write_text(json.dumps(world))
    code, lines = doctor(cw)
    assert code == 1
    assert line(lines, "mapped agreements").startswith("FAIL")
    assert "agreement 1002 is Cancelled" in line(lines, "mapped agreements")
    assert "ConnectWise agreement 1003: field billingCycle is missing" in line(lines, "mapped agreements")
    assert "catalog item 'M365-BP' is inactive" in line(lines, "mapped products")
    assert "-- fix: fix the record in ConnectWise or the mapping in specs/" in line(lines, "mapped products")
    assert lines[-1] == "10 of 12 checks passed."  # the mapping check needs the PSA checks to pass


def test_an_agreement_of_another_company_fails_the_mapping_check(cw: Path) -> None:
    client = cw / "specs" / "clients" / "fabrikam.yaml"
    client.write_text(client.read_text().replace("agreement_id: 1002", "agreement_id: 1003"))
    code, lines = doctor(cw)
    assert code == 1
    assert "agreement 1003 belongs to PSA company 252, not 251" in line(lines, "mapping")


def test_a_permission_the_api_member_lacks_names_the_security_role_setting(cw: Path, monkeypatch) -> None:
    monkeypatch.setenv(
        ENV_VAR, json.dumps([{"kind": "status", "status": 403, "times": 0, "path_contains": "/procurement/catalog"}])
    )
    code, lines = doctor(cw)
    assert code == 1
    assert "Procurement > Product Catalog: Inquire level All" in line(lines, "psa permissions")


def test_wrong_connectwise_keys_fail_the_credentials_check_with_the_fix(cw: Path) -> None:
    with SandboxServer(cw / "sandbox" / "world.json") as server:
        point_at(cw, {"psa": served_connectwise(server.url)})
        code, lines = doctor(cw, dict(ENV, CW_PRIVATE="not-the-key"))
    assert code == 1
    assert line(lines, "psa credentials").startswith("FAIL  psa credentials: ConnectWise GET")
    assert "check psa.public_key and psa.private_key" in line(lines, "psa credentials")
    assert "not-the-key" not in "\n".join(lines)


def test_an_unknown_connectwise_company_fails_the_site_check(cw: Path) -> None:
    with SandboxServer(cw / "sandbox" / "world.json") as server:
        point_at(cw, {"psa": served_connectwise(server.url)})
        code, lines = doctor(cw, dict(ENV, CW_COMPANY="nosuchco"))
    assert code == 1
    assert "check psa.endpoint" in line(lines, "psa site") and "psa.company_id" in line(lines, "psa site")


@pytest.mark.parametrize(
    ("wrong", "check", "fix"),
    [
        ({"AT_CODE": "NOTTHECODE"}, "psa credentials", "check psa.integration_code"),
        ({"AT_SECRET": "nope"}, "psa credentials", "check psa.secret"),
        ({"AT_USER": "someone@else.example"}, "psa zone", "check psa.username"),
    ],
    ids=["integration-code", "secret", "user"],
)
def test_each_autotask_credential_fails_with_the_setting_to_check(at: Path, wrong: dict, check: str, fix: str) -> None:
    with SandboxServer(at / "sandbox" / "world.json") as server:
        point_at(
            at,
            {
                "psa": {
                    "provider": "autotask",
                    "endpoint": f"{server.url}/autotask",
                    "username": "env:AT_USER",
                    "secret": "env:AT_SECRET",
                    "integration_code": "env:AT_CODE",
                }
            },
        )
        code, lines = doctor(at, dict(ENV, **wrong))
    assert code == 1
    assert line(lines, check).startswith(f"FAIL  {check}") and fix in line(lines, check)


def test_an_autotask_database_near_its_hourly_threshold_fails_the_budget_check(at: Path) -> None:
    with SandboxServer(at / "sandbox" / "world.json") as server:
        server.threshold.preset(900)  # other integrations' requests this hour
        point_at(
            at,
            {
                "psa": {
                    "provider": "autotask",
                    "endpoint": f"{server.url}/autotask",
                    "username": "env:AT_USER",
                    "secret": "env:AT_SECRET",
                    "integration_code": "env:AT_CODE",
                    "request_budget": 1000,
                }
            },
        )
        code, lines = doctor(at, ENV)
    assert code == 1
    assert "902 of the database's 10000 requests used" in line(lines, "psa request budget")  # + zone, threshold
    assert "raise psa.request_budget" in line(lines, "psa request budget")
    assert line(lines, "psa permissions").startswith("FAIL  psa permissions: not checked: the request budget is spent")


def test_an_autotask_contract_with_an_unknown_period_fails_the_contract_check(at: Path) -> None:
    world = json.loads((at / "sandbox" / "world.json").read_text())
    world["autotask"]["contracts"][0]["contractPeriodType"] = 9
    world["autotask"]["services"][0]["isActive"] = False
    (at / "sandbox" / "world.json").write_text(json.dumps(world))
    code, lines = doctor(at)
    assert code == 1
    assert "unknown contractPeriodType 9" in line(lines, "mapped contracts")
    assert "service 9001 is not active" in line(lines, "mapped services")


def test_a_setting_that_cannot_be_used_is_a_failed_check_not_a_crash(cw: Path) -> None:
    point_at(cw, {"psa": served_connectwise("https://api-na.myconnectwise.net")})
    code, lines = doctor(cw, {k: v for k, v in ENV.items() if k != "CW_PRIVATE"})
    assert code == 1
    assert lines[0].startswith("FAIL  settings:") and "CW_PRIVATE" in lines[0]
