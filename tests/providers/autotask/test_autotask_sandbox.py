"""End to end over real HTTP: the provider against the embedded sandbox, on a generated world."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from providers.autotask.provider import AutotaskProvider
from providers.sandbox import SandboxServer
from providers.sandbox.generator import generate
from reconciler.model import ProviderConfig, Scope
from reconciler.plan.change import Change
from reconciler.provider import ProviderContext

TODAY = date(2024, 6, 15)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.delenv("NCESYNC_SANDBOX_FAULTS", raising=False)
    generate(tmp_path, clients=4, seed=11, psa="autotask", today=TODAY)
    return {
        "path": tmp_path / "sandbox" / "world.json",
        "data": json.loads((tmp_path / "sandbox" / "world.json").read_text()),
    }


def scope_of(at: dict) -> Scope:
    return Scope(
        sync_date=TODAY,
        company_ids=frozenset(c["id"] for c in at["companies"]),
        agreement_ids=frozenset(c["id"] for c in at["contracts"]),
        product_ids=frozenset(str(s["id"]) for s in at["services"]),
    )


def test_read_write_and_read_again_through_the_sandbox(world):
    at = world["data"]["autotask"]
    cs = at["contractServices"][0]
    contract, service = cs["contractID"], cs["serviceID"]
    with SandboxServer(world["path"], clock=TODAY) as server:
        config = ProviderConfig("autotask", "sandbox", {})
        provider = AutotaskProvider.from_config(
            config, ProviderContext(root=".", timezone="Pacific/Auckland", sandbox_url=server.url)
        )
        before = provider.read(scope_of(at))
        assert set(before.agreements) == {c["id"] for c in at["contracts"]}
        assert len([ln for ln in before.lines if ln.kind == "main"]) == len(at["contractServices"])
        line = next(ln for ln in before.lines if ln.id == cs["id"])
        seats = line.units_on(TODAY)

        common = {
            "client_id": "t",
            "client_name": "C",
            "agreement_id": contract,
            "product_id": str(service),
            "product_key": "p",
            "line_kind": "main",
            "reason": "e2e",
            "effective_date": TODAY.isoformat(),
        }
        adjusted = provider.write(
            Change(
                action="create_adjustment",
                line_id=cs["id"],
                after={
                    "quantity": 2,
                    "unit_price": str(cs["unitPrice"]),
                    "unit_cost": str(cs["unitCost"]),
                    "effective_date": TODAY.isoformat(),
                    "service_id": service,
                    "contract_id": contract,
                },
                **common,
            )
        )
        provider.write(
            Change(
                action="update_line", line_id=cs["id"], after={"invoice_description": f"Seats x {seats + 2}"}, **common
            )
        )
        provider.write(Change(action="update_line", line_id=cs["id"], after={"unit_price": "99.95"}, **common))
        after = provider.read(scope_of(at))
        assert server.counts["POST autotask /ContractServiceAdjustments"] == 1
        assert server.counts["PATCH autotask /Contracts/{id}/Services"] == 2  # description, then price

    changed = next(ln for ln in after.lines if ln.id == cs["id"])
    assert adjusted.record_id is not None
    assert changed.units_on(TODAY) == seats + 2
    assert changed.units_on(date(2024, 6, 14)) == seats  # the row was split on the effective date
    assert len(changed.spans) == len(line.spans) + 1
    assert str(changed.unit_price) == "99.95" and changed.invoice_description == f"Seats x {seats + 2}"
    assert server.url.rsplit(":", 1)[1] not in provider.tenant_key()  # not the sandbox's random port
