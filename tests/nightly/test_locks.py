"""Locks that lock, and die with their process: one apply at a time per PSA tenant, whatever
sandbox port it runs on; a killed apply never blocks the next one; a live holder is never
broken; and the sandbox's world file is written under its own lock."""

from __future__ import annotations

import signal
import socket
import textwrap
from datetime import date
from pathlib import Path

import pytest

from providers.sandbox import SandboxServer
from reconciler.apply.lock import LOCKS, ApplyLock, lock_path
from reconciler.errors import LockHeldError
from reconciler.run.runtime import Runtime
from reconciler.specs import load_deployment
from tests.e2e.worlds import (
    autotask_world,
    connectwise_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)
from tests.nightly import processes

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from reconciler.apply.lock import ApplyLock
    with ApplyLock(Path(sys.argv[1]), "autotask:tenant", "holder-run"):
        print("held", flush=True)
        time.sleep(60)
""")


def hold_lock(root: Path):
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root)], env=processes.environment(), stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_two_embedded_sandboxes_on_different_ports_share_one_autotask_lock(tmp_path) -> None:
    write_autotask_deployment(tmp_path, autotask_world(quantity=15), style="arrears", prorate=False)
    deployment = load_deployment(tmp_path)
    keys, urls = [], []
    for _ in range(2):
        with Runtime(deployment, sync_date=date(2024, 6, 15)) as runtime:
            keys.append(runtime.target.tenant_key())
            urls.append(runtime.sandbox_url)
    assert urls[0] != urls[1]
    assert keys[0] == keys[1]
    port = urls[0].rsplit(":", 1)[1]
    assert port not in keys[0] and "sandbox-api" not in keys[0] and "ncesync.example" not in keys[0]


def test_a_connectwise_site_written_two_ways_is_one_tenant() -> None:
    from providers.connectwise.client import ConnectWiseClient
    from providers.connectwise.provider import ConnectWiseProvider

    def key(site: str) -> str:
        client = ConnectWiseClient(site, company_id="Acme", public_key="p", private_key="k", client_id="c")
        return ConnectWiseProvider(client, site=site, company_id="Acme").tenant_key()

    assert key("https://api-na.myconnectwise.net") == key("HTTPS://API-NA.myconnectwise.net/")
    assert key("https://api-na.myconnectwise.net") != key("https://api-eu.myconnectwise.net")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_lock_dies_with_its_process(tmp_path, sig) -> None:
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(LockHeldError) as caught, ApplyLock(tmp_path, "autotask:tenant", "second"):
            pass
        message = str(caught.value)
        assert f"host {socket.gethostname()}" in message and f"pid {holder.pid}" in message
        assert "since 20" in message and "run holder-run" in message
    finally:
        holder.send_signal(sig)
        holder.wait(10)
    with ApplyLock(tmp_path, "autotask:tenant", "next-night"):  # no `unlock` needed
        pass
    assert not lock_path(tmp_path, "autotask:tenant").exists()


def test_unlock_never_breaks_a_live_lock_and_tidies_a_dead_ones_file(tmp_path) -> None:
    holder = hold_lock(tmp_path)
    path = lock_path(tmp_path, "autotask:tenant")
    try:
        code, out = processes.run("unlock", "-C", str(tmp_path), "--yes")
        assert code == 1, out
        assert "held by a running apply" in out and f"pid {holder.pid}" in out and "cannot be broken" in out
        assert path.exists()
        with pytest.raises(LockHeldError), ApplyLock(tmp_path, "autotask:tenant", "third"):
            pass
    finally:
        holder.kill()
        holder.wait(10)
    assert path.exists()  # kill -9 left the file, but no lock
    code, out = processes.run("unlock", "-C", str(tmp_path), "--yes")
    assert code == 0 and "left by an apply that ended" in out and "Removed." in out
    assert not list((tmp_path / LOCKS).glob("*.lock"))


def test_the_world_file_keeps_both_writes_of_two_sandboxes_serving_it(tmp_path) -> None:
    """Two processes' embedded sandboxes on one world file: each write is made on the file's
    latest content, so neither overwrites the other's (A's adjustment once vanished)."""
    import requests

    from providers.sandbox_credentials import SANDBOX_CREDENTIALS

    write_deployment(tmp_path, connectwise_world(quantity=15, prorate=True), style="advance")
    world = tmp_path / ".ncesync" / "world.json"
    world.parent.mkdir(parents=True)
    world.write_text((tmp_path / "sandbox" / "world.json").read_text())
    creds = SANDBOX_CREDENTIALS["connectwise"]
    auth = (f"{creds['company_id']}+{creds['public_key']}", creds["private_key"])
    body = {
        "product": {"identifier": "M365-BP"},
        "quantity": 1,
        "billCustomer": "Billable",
        "effectiveDate": "2024-06-15T00:00:00Z",
        "unitPrice": 20,
        "unitCost": 15,
    }
    with SandboxServer(world) as first, SandboxServer(world) as second:
        for server, quantity in ((first, 1), (second, 2), (first, 3)):
            reply = requests.post(
                f"{server.url}/connectwise/v4_6_release/apis/3.0/finance/agreements/1001/additions",
                json={**body, "quantity": quantity},
                auth=auth,
                headers={"clientId": creds["client_id"]},
                timeout=10,
            )
            assert reply.status_code == 201, reply.text
    quantities = [a["quantity"] for a in working_world(tmp_path)["connectwise"]["additions"]]
    assert quantities == [12, 1, 2, 3]
    ids = [a["id"] for a in working_world(tmp_path)["connectwise"]["additions"]]
    assert len(set(ids)) == 4  # no id handed out twice either


@pytest.mark.parametrize("command", [("journal",), ("unlock", "--yes")])
def test_a_deployment_folder_that_does_not_exist_is_a_usage_error(tmp_path, command) -> None:
    """A typo in -C is said, not read as a deployment with nothing in its journal."""
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    result = CliRunner().invoke(cli, [*command, "-C", str(tmp_path / "no-such-deployment")])
    assert result.exit_code == 64 and "does not exist" in result.output
