"""The simulation's vendor clients reach the sandbox in-process (in_process.py): the same
seeded days on loopback HTTP and in-process hand the sandbox the same requests, get the
same records back, write the same world and plan the same changes; and in-process, every
one of those requests was carried in-process."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from urllib3.exceptions import ProtocolError

from providers.sandbox import SandboxServer
from providers.sandbox.faults import Fault
from providers.sandbox.latency import Latency
from providers.transport import Request
from tests.conformance.sandbox_kits import AutotaskKit, ConnectWiseKit
from tests.conformance.xero_kit import XeroKit
from tests.providers.fake_transport import FakeTransport
from tests.sandbox.conftest import cw_headers, make_world
from tests.simulation.in_process import InProcessTransport
from tests.simulation.runner import Case, Simulation
from tests.simulation.scenario import Setup

# Ten days over a month's end, with a second run on some of them (the seed decides).
START, DAYS, SEED = date(2024, 3, 27), 10, 3
# What the sandbox draws at random: Xero's UUIDs, Dicker Data's access keys.
RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")


def _numbered(trace: dict[str, Any]) -> str:
    """The trace as JSON, with each random id replaced by the order it first appears in."""
    text = json.dumps(trace, sort_keys=True, default=repr)
    order: dict[str, str] = {}
    return RANDOM_ID.sub(lambda m: order.setdefault(m.group(0), f"<id {len(order)}>"), text)


def _trace(root: Path, case: Case, *, over_loopback: bool) -> dict[str, Any]:
    simulation = Simulation(root, case, over_loopback=over_loopback)
    handed: list[tuple[str, str, str]] = []  # what reached the sandbox, either way
    handle = simulation.server.handle

    def recorded(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        handed.append((method, target, body.decode()))
        return handle(method, target, headers, body)

    simulation.server.handle = recorded  # type: ignore[method-assign]
    try:
        simulation.run_all()
        return {
            "carried in-process": simulation.in_process.count,
            "handed": len(handed),
            # random ids blanked before sorting: calls made at once may come in another order
            "requests": sorted(RANDOM_ID.sub("<random>", " ".join(call)) for call in handed),
            "request counts": simulation.server.counts.as_dict(),
            "records listed": simulation.server.counts.records(),
            "world": simulation.server.world(),
            "changes": [plan.changes for plan in simulation.plans],
        }
    finally:
        simulation.close()


@pytest.mark.parametrize(
    "kit", [ConnectWiseKit(), AutotaskKit(served="utc", received="utc_instant"), XeroKit()], ids=lambda k: k.provider
)
def test_in_process_and_loopback_runs_send_write_and_plan_the_same(tmp_path: Path, kit: Any) -> None:
    case = Case(Setup(kit, "arrears", True, timezone="Australia/Sydney"), SEED, START, DAYS)
    wire = _trace(tmp_path / "loopback", case, over_loopback=True)
    here = _trace(tmp_path / "in-process", case, over_loopback=False)
    assert wire["requests"] and any(wire["changes"]), "the case must call the vendors and write"
    assert wire["carried in-process"] == 0
    assert here["carried in-process"] == here["handed"], (
        "every request of the in-process run must be carried in-process"
    )
    for part in ("requests", "request counts", "records listed", "world", "changes"):
        assert _numbered({part: here[part]}) == _numbered({part: wire[part]}), (
            f"the {part} differ between the loopback and the in-process runs"
        )


def test_other_urls_go_over_the_wire_and_a_dropped_answer_is_a_broken_connection(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps(make_world()), encoding="utf-8")
    with SandboxServer(world) as server:
        wire = FakeTransport(lambda request: (200, {"from": "the wire"}, {}))
        transport = InProcessTransport(server, wire)
        elsewhere = "http://127.0.0.1:9/tinypsa/api/customers"  # a plug-in's own emulator
        assert transport.send(Request("GET", elsewhere), (1, 1)).json() == {"from": "the wire"}
        assert [sent.url for sent in wire.sent] == [elsewhere]

        companies = Request("GET", f"{server.url}/connectwise/v2024_1/apis/3.0/company/companies", cw_headers())
        assert transport.send(companies, (1, 1)).status_code == 200
        server.faults.add(Fault(kind="lose_response", vendor="connectwise"))
        with pytest.raises(ProtocolError):
            transport.send(companies, (1, 1))
        assert len(wire.sent) == 1


@pytest.mark.parametrize(
    ("headers", "error"),
    [({"X-Customer": "Café ☃"}, UnicodeEncodeError), ({"X-Customer": "a\r\nX-Forged: 1"}, ValueError)],
    ids=["not Latin-1", "line break"],
)
def test_a_header_the_wire_cannot_carry_fails_in_process_too(
    tmp_path: Path, headers: dict[str, str], error: type[Exception]
) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps(make_world()), encoding="utf-8")
    with SandboxServer(world) as server:
        transport = InProcessTransport(server, FakeTransport(lambda request: (200, {}, {})))
        url = f"{server.url}/connectwise/v2024_1/apis/3.0/company/companies"
        with pytest.raises(error):
            transport.send(Request("GET", url, {**cw_headers(), **headers}), (1, 1))
        assert server.counts.total() == 0  # nothing reached the sandbox


def test_a_sandbox_with_latency_is_reached_over_the_wire(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps(make_world()), encoding="utf-8")
    with SandboxServer(world, latency=Latency(0.001)) as server:
        wire = FakeTransport(lambda request: (200, {"from": "the wire"}, {}))
        url = f"{server.url}/connectwise/v2024_1/apis/3.0/company/companies"
        assert InProcessTransport(server, wire).send(Request("GET", url, cw_headers()), (1, 1)).json() == {
            "from": "the wire"
        }
