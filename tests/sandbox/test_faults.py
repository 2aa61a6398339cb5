"""Fault injection: 429 with Retry-After, 500 on the k-th write, slow and lost responses."""

from __future__ import annotations

import json

import pytest
import requests

from providers.sandbox import Fault, SandboxServer, load_world
from providers.sandbox.faults import FaultPlan
from tests.sandbox.conftest import VendorSession

ADD = {"product": {"id": 3}, "billCustomer": "Billable", "quantity": 2}


def test_429_with_retry_after_for_the_next_n_matching_requests(cw: VendorSession, sandbox) -> None:
    sandbox.faults.add(
        Fault(kind="status", status=429, retry_after=1, times=2, method="GET", path_contains="/additions")
    )
    assert cw.get("/finance/agreements/1001").status_code == 200  # does not match
    for _ in range(2):
        reply = cw.get("/finance/agreements/1001/additions")
        assert reply.status_code == 429 and reply.headers["Retry-After"] == "1"
        assert reply.json()["code"] == "TooManyRequests"
    assert cw.get("/finance/agreements/1001/additions").status_code == 200


def test_500_on_the_kth_write_is_not_performed(cw: VendorSession, sandbox) -> None:
    sandbox.faults.add(Fault(kind="status", status=500, write_index=2))
    assert cw.post("/finance/agreements/1001/additions", json=ADD).status_code == 201
    cw.get("/finance/agreements/1001/additions")  # reads are not writes
    failed = cw.post("/finance/agreements/1001/additions", json=ADD)
    assert failed.status_code == 500 and failed.json()["code"] == "InternalServerError"
    assert cw.post("/finance/agreements/1001/additions", json=ADD).status_code == 201
    assert len(sandbox.world()["connectwise"]["additions"]) == 4


def test_slow_response_trips_a_client_timeout(cw: VendorSession, sandbox) -> None:
    sandbox.faults.add(Fault(kind="slow", delay=2.0, path_contains="/finance/agreements/1001"))
    with pytest.raises(requests.Timeout):
        cw.get("/finance/agreements/1001", timeout=0.2)


def test_lost_response_performs_the_write_then_drops_the_connection(cw: VendorSession, sandbox, world_path) -> None:
    sandbox.faults.add(Fault(kind="lose_response", write_index=1))
    with pytest.raises(requests.ConnectionError):
        cw.post("/finance/agreements/1001/additions", json=ADD)
    assert len(sandbox.world()["connectwise"]["additions"]) == 3
    assert any(a.get("quantity") == 2 for a in load_world(world_path)["connectwise"]["additions"])


def test_malformed_html_page_and_missing_field(at: VendorSession, sandbox) -> None:
    sandbox.faults.add(Fault(kind="malformed", malformed="html", status=502, path_contains="/Contracts/7001"))
    html = at.get("/Contracts/7001")
    assert html.status_code == 502 and html.headers["Content-Type"].startswith("text/html")
    sandbox.faults.add(Fault(kind="malformed", malformed="missing_field", field="units"))
    body = at.post("/ContractServiceUnits/query", json={"filter": [], "maxRecords": 2}).json()
    assert body["items"] and all("units" not in r for r in body["items"])


def test_faults_from_the_environment(world_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "NCESYNC_SANDBOX_FAULTS", json.dumps([{"kind": "status", "status": 503, "vendor": "autotask", "times": 1}])
    )
    with SandboxServer(world_path) as server:
        assert [f.status for f in server.faults.pending] == [503]
        reply = requests.get(f"{server.url}/autotask/atservicesrest/v1.0/ThresholdInformation", timeout=5)
        assert reply.status_code == 503 and reply.json() == {"errors": ["injected fault: HTTP 503"]}
        assert server.faults.pending == []


def test_bad_fault_definitions_are_refused() -> None:
    with pytest.raises(ValueError):
        FaultPlan.from_env({"NCESYNC_SANDBOX_FAULTS": '[{"kind": "explode"}]'})
    with pytest.raises(ValueError):
        FaultPlan.from_env({"NCESYNC_SANDBOX_FAULTS": '[{"kind": "status", "colour": "red"}]'})


def test_a_lost_listing_counts_as_a_request_but_no_records_returned(cw: VendorSession, sandbox) -> None:
    sandbox.faults.add(Fault(kind="lose_response", method="GET", path_contains="/additions"))
    label = "GET connectwise /finance/agreements/{id}/additions"
    with pytest.raises(requests.ConnectionError):
        cw.get("/finance/agreements/1001/additions")
    assert (sandbox.counts[label], sandbox.counts.records().get(label, 0)) == (1, 0)
    received = cw.get("/finance/agreements/1001/additions").json()
    assert received and sandbox.counts.records()[label] == len(received)


def test_a_request_that_fails_while_the_sandbox_stops_prints_no_traceback(sandbox, capsys, caplog) -> None:
    """Ctrl-C during a slow answer: the handler wakes to a closed connection. That is logged
    at debug, never printed as a traceback on the terminal of the interrupted command."""
    httpd = sandbox._httpd
    sandbox._stopping.set()
    try:
        with caplog.at_level("DEBUG", logger="providers.sandbox.server"):
            try:
                raise BrokenPipeError("the client is gone")
            except BrokenPipeError:
                httpd.handle_error(None, ("127.0.0.1", 1))
    finally:
        sandbox._stopping.clear()
    assert capsys.readouterr().err == ""
    assert any("ended while stopping (BrokenPipeError)" in r.getMessage() for r in caplog.records)
