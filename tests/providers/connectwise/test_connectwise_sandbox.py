"""End to end over real HTTP: the provider against the embedded sandbox's ConnectWise API."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from providers.connectwise.provider import ConnectWiseProvider
from reconciler.model import ProviderConfig, Scope
from reconciler.model.psa import DELTA, MAIN
from reconciler.plan.change import Change
from reconciler.provider import ProviderContext

sandbox_server = pytest.importorskip("providers.sandbox.server")

WORLD = {
    "dickerdata": {},
    "autotask": {},
    "connectwise": {
        "companies": [{"id": 250, "identifier": "Contoso", "name": "Contoso Ltd"}],
        "agreements": [
            {
                "id": 1001,
                "name": "Contoso M365",
                "type": {"id": 1, "name": "Managed Services"},
                "company": {"id": 250, "identifier": "Contoso", "name": "Contoso Ltd"},
                "contact": {"id": 1, "name": "Accounts Payable"},
                "agreementStatus": "Active",
                "prorateFlag": True,
                "billingCycle": {"id": 1, "name": "Monthly"},
                "startDate": "2024-01-01T00:00:00Z",
                "cancelledFlag": False,
            }
        ],
        "additions": [
            {
                "id": 5001,
                "agreementId": 1001,
                "product": {"id": 700, "identifier": "M365-BP"},
                "quantity": 12,
                "unitPrice": 20.0,
                "unitCost": 15.0,
                "billCustomer": "Billable",
                "effectiveDate": "2024-05-01T00:00:00Z",
                "description": "Microsoft 365 Business Premium [ncesync:main]",
                "invoiceDescription": "M365 BP x 12",
            }
        ],
        "catalog": [
            {
                "id": 700,
                "identifier": "M365-BP",
                "description": "Business Premium",
                "price": 20.0,
                "cost": 15.0,
                "customerDescription": "Business Premium",
                "subcategory": {"id": 1, "name": "Microsoft"},
                "type": {"id": 1, "name": "Licence"},
            },
            {
                "id": 701,
                "identifier": "M365-BB",
                "description": "Business Basic",
                "price": 7.2,
                "cost": 5.4,
                "customerDescription": "Business Basic",
                "subcategory": {"id": 1, "name": "Microsoft"},
                "type": {"id": 1, "name": "Licence"},
            },
        ],
    },
}
SCOPE = Scope(
    sync_date=date(2024, 6, 15),
    company_ids=frozenset({250}),
    agreement_ids=frozenset({1001}),
    product_ids=frozenset({"M365-BP", "M365-BB"}),
)


def change(action, *, product_id, line_id=None, **after):
    return Change(
        action=action,
        client_id="t1",
        client_name="Contoso Ltd",
        agreement_id=1001,
        product_id=product_id,
        product_key=product_id.lower(),
        line_kind=MAIN,
        reason="e2e",
        effective_date="2024-06-15",
        line_id=line_id,
        after=after,
    )


def test_read_write_and_read_again_through_the_sandbox(tmp_path):
    world = tmp_path / "world.json"
    world.write_text(json.dumps(WORLD))
    with sandbox_server.SandboxServer(world, clock=date(2024, 6, 15)) as server:
        provider = ConnectWiseProvider.from_config(
            ProviderConfig(name="connectwise", endpoint="sandbox", options={"parallelism": 2}),
            ProviderContext(root=str(tmp_path), timezone="UTC", sandbox_url=server.url),
        )
        before = provider.read(SCOPE)
        assert before.companies == {250: "Contoso Ltd"}
        assert before.agreements[1001].prorate is True
        assert [(ln.id, ln.kind, ln.units_on(SCOPE.sync_date)) for ln in before.lines] == [(5001, MAIN, 12)]
        assert before.catalog["M365-BB"].id == 701

        created = provider.write(
            change(
                "create_delta",
                product_id="M365-BP",
                quantity=3,
                unit_price="20.00",
                unit_cost="15.00",
                effective_date="2024-06-15",
                catalog_id=700,
            )
        )
        provider.write(
            change(
                "update_line",
                product_id="M365-BP",
                line_id=5001,
                unit_price="21.50",
                invoice_description="M365 BP x 12 (new price)",
            )
        )
        after = provider.read(SCOPE)

    lines = {ln.id: ln for ln in after.lines}
    assert set(lines) == {5001, created.record_id}
    delta = lines[created.record_id]
    assert (delta.kind, delta.units_on(date(2024, 6, 15)), delta.effective_date) == (DELTA, 3, date(2024, 6, 15))
    assert delta.cancelled_date is None
    assert lines[5001].unit_price == Decimal("21.50")
    assert lines[5001].invoice_description == "M365 BP x 12 (new price)"
    assert sum(ln.units_on(date(2024, 6, 15)) for ln in after.lines) == 15
    assert provider.request_counts()["POST /finance/agreements/{id}/additions"] == 1
