"""The simulation's vendor clients reach the sandbox in-process (in_process.py): the same
seeded days on loopback HTTP and in-process make the same requests, get the same records
back, write the same world and plan the same changes."""

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
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _numbered(trace: dict[str, Any]) -> str:
    """The trace as JSON, with each id the sandbox draws at random (Xero's UUIDs) replaced by
    the order it first appears in."""
    text = json.dumps(trace, sort_keys=True, default=repr)
    order: dict[str, str] = {}
    return UUID.sub(lambda m: order.setdefault(m.group(0), f"<id {len(order)}>"), text)


def _trace(root: Path, case: Case, *, over_loopback: bool) -> dict[str, Any]:
    simulation = Simulation(root, case, over_loopback=over_loopback)
    try:
        simulation.run_all()
        return {
            "requests": simulation.server.counts.as_dict(),
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
    for part in wire:
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
