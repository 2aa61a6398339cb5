"""Each way Autotask refuses credentials becomes a message saying which setting to check,
at once (a credential 500 is not retried), and never with the secret in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.autotask.client import AutotaskClient
from providers.sandbox import SANDBOX_CREDENTIALS, SandboxServer
from reconciler.errors import ProviderError
from tests.sandbox.conftest import make_world

GOOD = SANDBOX_CREDENTIALS["autotask"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    import json

    world = tmp_path / "world.json"
    world.write_text(json.dumps(make_world()))
    with SandboxServer(world) as server:
        yield server


def client(sandbox: SandboxServer, sleeps: list, **wrong: str) -> AutotaskClient:
    creds = {**GOOD, **wrong}
    return AutotaskClient(
        username=creds["username"],
        secret=creds["secret"],
        integration_code=creds["integration_code"],
        endpoint=f"{sandbox.url}/autotask",
        sleep=sleeps.append,
    )


@pytest.mark.parametrize(
    ("wrong", "says", "status"),
    [
        ({"username": "someone@else.example"}, "check psa.username", 500),
        ({"secret": "not-the-secret"}, "check psa.secret", 401),
        ({"integration_code": "NOTTHECODE"}, "check psa.integration_code", 500),
    ],
    ids=["user", "secret", "integration-code"],
)
def test_each_credential_error_names_its_setting(sandbox: SandboxServer, wrong: dict, says: str, status: int) -> None:
    sleeps: list[float] = []
    with pytest.raises(ProviderError) as caught:
        client(sandbox, sleeps, **wrong).query("Contracts", [])
    assert says in str(caught.value) and caught.value.status == status
    assert sleeps == []  # not retried: it cannot heal
    assert "not-the-secret" not in str(caught.value)


def test_a_known_user_with_a_wrong_integration_code_reads_its_zone_first(sandbox: SandboxServer) -> None:
    at = client(sandbox, [], integration_code="NOTTHECODE")
    with pytest.raises(ProviderError, match="IntegrationCode is invalid.*check psa.integration_code"):
        at.threshold()
    assert at.known_zone_url == f"{sandbox.url}/autotask/atservicesrest"
