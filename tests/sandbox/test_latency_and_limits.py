"""The sandbox at vendor speed: answers after a latency, and the vendors' limits on requests
at once (a 429 past them)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from providers.sandbox import SandboxServer
from providers.sandbox.concurrency import Concurrency, Limit, endpoint_of
from providers.sandbox.latency import Latency
from providers.sandbox_credentials import SANDBOX_CREDENTIALS
from tests.sandbox.conftest import TODAY, VendorSession, at_headers, cw_headers
from tests.simulation.scenario import write_world


def _at(server: SandboxServer) -> VendorSession:
    return VendorSession(f"{server.url}/autotask/atservicesrest/v1.0", at_headers())


def test_answers_wait_for_the_latency_fixed_plus_jitter(world_path: Path) -> None:
    latency = Latency(0.2, 0.05, seed=1)
    with SandboxServer(world_path, clock=TODAY, latency=latency) as server, _at(server) as at:
        started = time.perf_counter()
        assert at.get("/Contracts/7001").status_code == 200
        took = time.perf_counter() - started
    assert 0.2 <= took < 0.5


def test_latency_comes_from_the_environment_for_a_sandbox_the_cli_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Latency.from_env({"NCESYNC_SANDBOX_LATENCY": "0.2+0.05"}) == Latency(0.2, 0.05)
    assert Latency.from_env({"NCESYNC_SANDBOX_LATENCY": "0.25"}) == Latency(0.25)
    assert not Latency.from_env({})
    with pytest.raises(ValueError, match="0.2\\+0.05"):
        Latency.parse("fast")


def test_delays_stay_inside_fixed_plus_jitter_and_repeat_with_the_seed() -> None:
    one, other = Latency(0.2, 0.05, seed=7), Latency(0.2, 0.05, seed=7)
    assert [one.next_delay() for _ in range(5)] == [other.next_delay() for _ in range(5)]
    latency = Latency(0.2, 0.05, seed=3)
    assert all(0.2 <= latency.next_delay() <= 0.25 for _ in range(200))


def test_autotask_refuses_a_fourth_request_at_once_to_one_endpoint(world_path: Path) -> None:
    """Autotask's thread limit: 3 requests at once per endpoint; the fourth is a 429 while
    another endpoint still answers."""
    with SandboxServer(world_path, clock=TODAY, latency=Latency(0.4)) as server:
        statuses: list[int] = []

        def query() -> None:
            with _at(server) as at:
                statuses.append(at.post("/ContractServiceUnits/query", json={"filter": []}).status_code)

        threads = [threading.Thread(target=query) for _ in range(4)]
        for t in threads:
            t.start()
            time.sleep(0.05)  # in order, all four inside the first one's 0.4 s
        with _at(server) as at:
            other = at.post("/Contracts/query", json={"filter": []}).status_code
        for t in threads:
            t.join()
        refused, peaks = server.concurrency.refused(), server.concurrency.peaks()
    assert sorted(statuses) == [200, 200, 200, 429] and other == 200
    assert refused == {"autotask ContractServiceUnits": 1}
    assert peaks["autotask ContractServiceUnits"] == 3


def test_a_client_waiting_for_each_answer_is_never_refused(world_path: Path) -> None:
    """The place is given up before the answer goes out: three clients sending back to
    back, one request each at a time, never meet the limit."""
    with SandboxServer(world_path, clock=TODAY, latency=Latency(0.01)) as server:
        statuses: list[int] = []

        def loop() -> None:
            with _at(server) as at:
                statuses.extend(at.post("/Contracts/query", json={"filter": []}).status_code for _ in range(15))

        threads = [threading.Thread(target=loop) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 45 and server.concurrency.refused() == {}


def test_connectwise_has_no_limit_unless_one_is_set(world_path: Path) -> None:
    limits = {"connectwise": Limit(total=1)}
    with SandboxServer(world_path, clock=TODAY, latency=Latency(0.3), limits=limits) as server:
        statuses: list[int] = []

        def get() -> None:
            with VendorSession(f"{server.url}/connectwise/v4_6_release/apis/3.0", cw_headers()) as cw:
                statuses.append(cw.get("/finance/agreements/1001").status_code)

        threads = [threading.Thread(target=get) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
    assert sorted(statuses) == [200, 429]
    assert Concurrency().limits.get("connectwise") is None


@pytest.mark.parametrize(
    ("pattern", "endpoint"),
    [
        ("/ContractServiceUnits/query/next", "ContractServiceUnits"),
        ("/ContractServiceUnits/query", "ContractServiceUnits"),
        ("/Contracts/{id}/Services", "ContractServices"),
        ("/Contracts/{id}/Charges", "ContractCharges"),
        ("/Contracts/query", "Contracts"),
        ("/ContractServiceAdjustments", "ContractServiceAdjustments"),
        ("/zoneInformation", None),
    ],
)
def test_autotask_endpoints_are_entities(pattern: str, endpoint: str | None) -> None:
    assert endpoint_of("autotask", pattern) == endpoint


def test_xero_refuses_a_sixth_call_at_once_and_says_the_concurrent_limit(tmp_path: Path) -> None:
    """Xero: 5 Accounting API calls at once per organisation; the sixth is a 429 with
    `X-Rate-Limit-Problem: concurrent` and a Retry-After. The identity service is not counted."""
    creds = SANDBOX_CREDENTIALS["xero"]
    with SandboxServer(write_world(tmp_path), clock=TODAY, latency=Latency(0.4)) as server:
        with requests.Session() as session:
            token = session.post(
                f"{server.url}/xero/identity/connect/token",
                data={"grant_type": "client_credentials"},
                auth=(creds["client_id"], creds["client_secret"]),
            ).json()["access_token"]
        headers = {
            "Authorization": f"Bearer {token}",
            "Xero-Tenant-Id": creds["tenant_id"],
            "Accept": "application/json",
        }
        answers: list[requests.Response] = []

        def call() -> None:
            answers.append(requests.get(f"{server.url}/xero/api.xro/2.0/Items", headers=headers, timeout=5))

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
            time.sleep(0.03)  # all six inside the first one's 0.4 s
        identity = requests.get(
            f"{server.url}/xero/connections", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        for t in threads:
            t.join()
        peaks = server.concurrency.peaks()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 200, 429]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["X-Rate-Limit-Problem"] == "concurrent" and refused.headers["Retry-After"] == "1"
    assert identity.status_code == 200  # the sixth place was taken, yet the identity service answers
    assert peaks["xero"] == 5
