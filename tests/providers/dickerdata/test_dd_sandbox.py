"""End to end: the provider, built from settings, reads the embedded sandbox over loopback HTTP."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from providers.dickerdata.mapping import PERIOD_MONTHS
from providers.dickerdata.provider import DickerDataProvider
from providers.sandbox import Fault, SandboxServer
from providers.sandbox.generator import WORLD_REL, generate
from reconciler.errors import SourceError
from reconciler.model import ProviderConfig, Scope
from reconciler.provider import ProviderContext

TODAY = date(2024, 6, 15)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deployment")
    generate(root, clients=4, seed=11, sync="monthly", today=TODAY)
    return root


@pytest.fixture
def sandbox(deployment, tmp_path):
    world = tmp_path / "world.json"
    world.write_text((deployment / WORLD_REL).read_text())
    with SandboxServer(world, clock=TODAY) as server:
        yield server


def _world_dd(sandbox) -> dict:
    return sandbox.world()["dickerdata"]


def _provider(sandbox, deployment, transport: str = "body") -> DickerDataProvider:
    config = ProviderConfig("dickerdata", "sandbox", {"key_transport": transport})
    context = ProviderContext(root=str(deployment), timezone="Australia/Sydney", sandbox_url=sandbox.url)
    provider = DickerDataProvider.from_config(config, context)
    provider.client.sleep = lambda seconds: None  # injected faults are retried without waiting
    return provider


@pytest.mark.parametrize("transport", ["body", "header"])
def test_full_read_matches_the_world(sandbox, deployment, transport):
    inventory = _provider(sandbox, deployment, transport).read(Scope(sync_date=TODAY))
    world = {s["SubscriptionId"]: s for s in _world_dd(sandbox)["subscriptions"]}
    read = {s.subscription_id: s for s in inventory.subscriptions}
    assert read.keys() == world.keys() and len(read) > 4
    for sid, record in world.items():
        sub = read[sid]
        assert (sub.tenant_id, sub.stock_code, sub.quantity) == (
            record["TenantId"],
            record["StockCode"],
            record["ConfirmedQuantity"],
        )
        assert sub.status == record["Status"].upper()
        months = PERIOD_MONTHS[record["BillingFrequency"].lower()]
        assert sub.unit_cost == (Decimal(record["UnitPrice"]) / months).quantize(Decimal("0.0001"))


def test_client_run_reads_only_its_tenant(sandbox, deployment):
    tenant = _world_dd(sandbox)["subscriptions"][0]["TenantId"]
    provider = _provider(sandbox, deployment)
    scope = Scope(sync_date=TODAY, tenant_ids=frozenset({tenant}), full_run=False)
    inventory = provider.read(scope)
    assert inventory.subscriptions and {s.tenant_id for s in inventory.subscriptions} == {tenant}
    assert provider.request_counts()["POST /api/Subscriptions/GetSubscriptionDetails"] == 1


def test_invoices_are_read_for_monthly_sync(sandbox, deployment):
    inventory = _provider(sandbox, deployment).read(Scope(sync_date=TODAY, with_invoices=True))
    world = _world_dd(sandbox)["invoices"]
    assert sorted(i.number for i in inventory.invoices) == sorted(i["InvoiceNumber"] for i in world)
    lines = [line for invoice in inventory.invoices for line in invoice.lines]
    assert len(lines) == sum(len(i["Lines"]) for i in world)
    assert any(line.quantity < 0 for line in lines)  # the sandbox's refund line


def test_an_expired_key_is_renewed(sandbox, deployment):
    provider = _provider(sandbox, deployment)
    provider.read(Scope(sync_date=TODAY))
    sandbox.access_keys.expire_all()  # the sandbox now answers 401 Status DENIED
    assert provider.read(Scope(sync_date=TODAY)).subscriptions
    assert provider.request_counts()["POST /api/AccessKeyRequest"] == 2


def test_a_server_error_is_retried(sandbox, deployment):
    fault = Fault(kind="status", status=503, vendor="dickerdata", path_contains="GetSubscriptionDetails")
    sandbox.faults.add(fault)
    assert _provider(sandbox, deployment).read(Scope(sync_date=TODAY)).subscriptions
    assert sandbox.faults.pending == []  # the 503 was met, and the read went on


def test_an_html_error_page_fails_the_read(sandbox, deployment):
    sandbox.faults.add(
        Fault(
            kind="malformed",
            malformed="html",
            status=502,
            times=0,
            vendor="dickerdata",
            path_contains="GetSubscription",
        )
    )
    with pytest.raises(SourceError, match="HTML page instead of JSON"):
        _provider(sandbox, deployment).read(Scope(sync_date=TODAY))


def test_a_record_without_quantity_fails_the_read(sandbox, deployment):
    sandbox.faults.add(
        Fault(
            kind="malformed",
            malformed="missing_field",
            field="ConfirmedQuantity",
            vendor="dickerdata",
            path_contains="GetSubscriptionDetails",
        )
    )
    with pytest.raises(SourceError, match="field ConfirmedQuantity is missing"):
        _provider(sandbox, deployment).read(Scope(sync_date=TODAY))


def test_an_unknown_status_is_read_as_written_for_the_plan_to_refuse(sandbox, deployment):
    """One odd record must not stop every client's read: the licence it belongs to is an
    error of the plan (tests/billing/test_licence_rules.py), the rest is planned."""
    with sandbox.store.lock:
        record = sandbox.store.data["dickerdata"]["subscriptions"][0]
        record["Status"] = "Activ"
    subs = _provider(sandbox, deployment).read(Scope(sync_date=TODAY)).subscriptions
    (odd,) = [s for s in subs if s.subscription_id == record["SubscriptionId"]]
    assert (odd.status, odd.status_known, odd.is_active) == ("ACTIV", False, False)


def test_the_world_file_is_not_changed_by_a_read(sandbox, deployment, tmp_path):
    before = json.loads((tmp_path / "world.json").read_text())
    _provider(sandbox, deployment).read(Scope(sync_date=TODAY, with_invoices=True))
    sandbox.stop()
    assert json.loads((tmp_path / "world.json").read_text()) == before
