"""The Xero provider against the sandbox: what a read makes of repeating invoices, items and
ncesync's own invoice lines, and what its writes leave in Xero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from providers.sandbox import Fault, SandboxServer
from providers.xero.drafts import CATCH_UP_REFERENCE
from providers.xero.provider import XeroProvider
from reconciler.errors import ProviderError, UncertainWriteError
from reconciler.model import Scope
from reconciler.model.psa import CHARGE, MAIN
from reconciler.plan.change import Change
from tests.providers.xero.conftest import CONTOSO, FABRIKAM, KIT, NORTHWIND, PRODUCT_IDS, TODAY, scope, template

M365 = "M365-BP"


def _change(action: str, client=CONTOSO, *, kind: str = MAIN, line_id=None, key=None, **after) -> Change:
    return Change(
        action=action,
        client_id="t",
        client_name=client.name,
        agreement_id=KIT.psa_ids(client)[1],
        product_id=M365,
        product_key="m365-bp",
        line_kind=kind,
        reason="test",
        effective_date="2024-06-15",
        line_id=line_id,
        key=key,
        after=after,
    )


def _catch_up(amount: str, key: str = "catch-up/2024-06-15/12>15", client=CONTOSO) -> Change:
    return _change(
        "create_charge",
        client,
        kind=CHARGE,
        key=key,
        quantity=1,
        unit_price=amount,
        invoice_description="Microsoft 365 Business Premium: 3 more seats",
    )


def _main(provider: XeroProvider, client=CONTOSO):
    return next(ln for ln in provider.read(scope(client)).lines if ln.kind == MAIN and ln.product_id == M365)


def test_a_read_maps_repeating_invoices_items_and_contacts_in_a_few_calls(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    state = provider.read(scope())
    agreement = state.agreements[KIT.psa_ids(FABRIKAM)[1]]
    assert (agreement.status, agreement.billing_day, agreement.company_id) == ("Active", 5, KIT.psa_ids(FABRIKAM)[0])
    assert sorted(
        (ln.product_id, ln.spans[0].units) for ln in state.lines if ln.agreement_id == KIT.psa_ids(CONTOSO)[1]
    ) == [("EXO-P1", 5), (M365, 12)]
    assert state.catalog[M365].price == Decimal("20.0") and set(state.catalog) == set(PRODUCT_IDS)
    assert state.companies[KIT.psa_ids(NORTHWIND)[0]] == "Northwind Traders"
    # one call each for templates, items and ncesync's invoices, whatever the number of clients
    assert {k: v for k, v in sandbox.counts.as_dict().items() if "/api.xro/" in k} == {
        "GET xero /api.xro/2.0/RepeatingInvoices": 1,
        "GET xero /api.xro/2.0/Items": 1,
        "GET xero /api.xro/2.0/Invoices": 1,
    }


def test_ids_written_in_capitals_are_the_same_records(provider: XeroProvider) -> None:
    upper = KIT.psa_ids(CONTOSO)[1].upper()
    state = provider.read(Scope(TODAY, agreement_ids=frozenset({upper}), product_ids=PRODUCT_IDS))
    assert list(state.agreements) == [upper] and {ln.agreement_id for ln in state.lines} == {upper}


def test_setting_a_quantity_sends_every_line_back_and_keeps_their_ids(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    before = template(sandbox, CONTOSO)["LineItems"]
    main = _main(provider)
    provider.write(_change("set_quantity", line_id=main.id, quantity=15, invoice_description="M365 x 15"))
    after = template(sandbox, CONTOSO)["LineItems"]
    assert [x["LineItemID"] for x in after] == [x["LineItemID"] for x in before]
    services = next(x for x in after if "ItemCode" not in x)
    assert (services["Description"], services["UnitAmount"]) == ("Managed services (monthly)", 150.0)
    m365 = next(x for x in after if x.get("ItemCode") == M365)
    assert (m365["Quantity"], m365["LineAmount"], m365["Description"]) == (15.0, 300.0, "M365 x 15")


def test_a_missing_line_is_added_with_the_items_booking(provider: XeroProvider, sandbox: SandboxServer) -> None:
    provider.read(scope(NORTHWIND))
    result = provider.write(
        _change(
            "create_line",
            NORTHWIND,
            quantity=5,
            unit_price="20.00",
            invoice_description="Microsoft 365 Business Premium x 5",
        )
    )
    added = next(x for x in template(sandbox, NORTHWIND)["LineItems"] if x.get("ItemCode") == M365)
    assert (added["LineItemID"], added["Quantity"], added["AccountCode"], added["TaxType"]) == (
        result.record_id,
        5.0,
        "200",
        "OUTPUT2",
    )
    with pytest.raises(ProviderError, match="has a line for item M365-BP since the plan was made"):
        provider.write(_change("create_line", NORTHWIND, quantity=5, unit_price="20.00"))


def test_account_and_tax_overrides_win_over_the_item(sandbox: SandboxServer, tmp_path) -> None:
    from tests.providers.xero.conftest import provider_for

    provider = provider_for(sandbox, tmp_path, tax_type="NONE", items={M365: {"account_code": "210"}})
    provider.read(scope(NORTHWIND))
    provider.write(_change("create_line", NORTHWIND, quantity=5, unit_price="20.00"))
    added = next(x for x in template(sandbox, NORTHWIND)["LineItems"] if x.get("ItemCode") == M365)
    assert (added["AccountCode"], added["TaxType"]) == ("210", "NONE")


def test_catch_ups_go_on_one_draft_per_client_and_read_back_as_charges(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    provider.read(scope())
    provider.write(_catch_up("32.00"))
    provider.write(_catch_up("-14.67", key="catch-up/2024-06-15/15>13"))
    drafts = [i for i in sandbox.world()["xero"]["invoices"] if i.get("Reference") == CATCH_UP_REFERENCE]
    assert [(d["Status"], d["Type"], len(d["LineItems"]), d["SubTotal"]) for d in drafts] == [
        ("DRAFT", "ACCREC", 2, 17.33)
    ]
    charges = [ln for ln in provider.read(scope(CONTOSO)).lines if ln.kind == CHARGE]
    assert sorted((ln.key, ln.unit_price, ln.billed) for ln in charges) == [
        ("catch-up/2024-06-15/12>15", Decimal("32.0"), False),
        ("catch-up/2024-06-15/15>13", Decimal("-14.67"), False),
    ]


def test_a_draft_approved_since_takes_no_more_lines(provider: XeroProvider, sandbox: SandboxServer) -> None:
    provider.read(scope())
    provider.write(_catch_up("32.00"))
    with sandbox.store.lock:
        next(i for i in sandbox.store.records("xero", "invoices") if i.get("_createdBy"))["Status"] = "AUTHORISED"
    provider.write(_catch_up("6.50", key="catch-up/2024-06-15/15>16"))
    ours = [i for i in sandbox.world()["xero"]["invoices"] if i.get("_createdBy")]
    assert [(i["Status"], len(i["LineItems"])) for i in ours] == [("AUTHORISED", 1), ("DRAFT", 1)]


def test_a_lost_answer_is_uncertain_and_the_line_is_not_added_twice(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    provider.read(scope())
    provider.write(_catch_up("32.00"))  # the draft exists
    sandbox.faults.add(Fault(kind="lose_response", vendor="xero", method="POST", path_contains="/Invoices/"))
    with pytest.raises(UncertainWriteError):
        provider.write(_catch_up("6.50", key="catch-up/2024-06-15/15>16"))
    provider.write(_catch_up("6.50", key="catch-up/2024-06-15/15>16"))  # sent again: found on the draft
    (draft,) = [i for i in sandbox.world()["xero"]["invoices"] if i.get("_createdBy")]
    assert len(draft["LineItems"]) == 2


def test_templates_xero_cannot_sync_are_unreadable_for_their_licences_only(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    with sandbox.store.lock:
        fabrikam = next(
            t
            for t in sandbox.store.records("xero", "repeatingInvoices")
            if t["RepeatingInvoiceID"] == KIT.psa_ids(FABRIKAM)[1]
        )
        fabrikam["Schedule"]["Unit"] = "WEEKLY"
        contoso = next(
            t
            for t in sandbox.store.records("xero", "repeatingInvoices")
            if t["RepeatingInvoiceID"] == KIT.psa_ids(CONTOSO)[1]
        )
        contoso["LineItems"][0]["Quantity"] = 2.5
    state = provider.read(scope())
    messages = [u.message for u in state.unreadable]
    assert any("its schedule repeats every 1 week; ncesync bills monthly periods" in m for m in messages)
    assert any("field Quantity: a seat count must be a whole number" in m for m in messages)
    assert KIT.psa_ids(NORTHWIND)[1] in state.agreements  # the others are read


def test_a_deleted_repeating_invoice_takes_no_write(provider: XeroProvider, sandbox: SandboxServer) -> None:
    main = _main(provider)
    with sandbox.store.lock:
        next(
            t
            for t in sandbox.store.records("xero", "repeatingInvoices")
            if t["RepeatingInvoiceID"] == KIT.psa_ids(CONTOSO)[1]
        )["Status"] = "DELETED"
    with pytest.raises(ProviderError, match="has been deleted"):
        provider.write(_change("set_quantity", line_id=main.id, quantity=15))
