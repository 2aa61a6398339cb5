"""`ncesync doctor` for Xero against the sandbox: each check passes on the conformance kit's
organisation, and fails with the finding and its fix for a refused secret, an organisation
the connection does not reach, mapped records Xero does not have or the sync cannot use,
and a day's call budget nearly spent. Doctor reads only, in a few calls."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from providers.sandbox import SandboxServer
from providers.xero.provider import XeroProvider
from reconciler.model import Check, ProviderConfig, Scope
from reconciler.provider import ProviderContext
from tests.providers.xero.conftest import CONTOSO, FABRIKAM, KIT, NORTHWIND, TODAY, provider_for, scope

NAMES = [
    "psa credentials",
    "psa scopes",
    "psa organisation",
    "mapped contacts",
    "mapped repeating invoices",
    "mapped items",
    "psa call budget",
]
NOBODY = str(uuid.uuid5(uuid.NAMESPACE_URL, "ncesync-tests/xero/nobody"))


def _owned(base: Scope | None = None) -> Scope:
    """The kit's clients with each repeating invoice's owner, as the engine scopes them."""
    chosen = base or scope()
    clients = (CONTOSO, FABRIKAM, NORTHWIND)
    return replace(chosen, owners={KIT.psa_ids(c)[1]: frozenset({KIT.psa_ids(c)[0]}) for c in clients})


def _checks(provider: XeroProvider, chosen: Scope | None = None) -> dict[str, Check]:
    found = provider.diagnose(chosen or _owned())
    return {c.name: c for c in found}


def _failed(checks: dict[str, Check]) -> list[str]:
    return [name for name, check in checks.items() if not check.ok]


def _record(sandbox: SandboxServer, collection: str, field: str, value: str) -> dict[str, Any]:
    return next(r for r in sandbox.store.records("xero", collection) if r[field] == value)


def _accounting_calls(sandbox: SandboxServer) -> dict[str, int]:
    return {k: v for k, v in sandbox.counts.as_dict().items() if "/api.xro/" in k}


def test_every_check_passes_on_a_healthy_organisation_in_a_few_reads(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    checks = _checks(provider)
    assert list(checks) == NAMES
    assert _failed(checks) == [], [c.line() for c in checks.values()]
    assert checks["psa organisation"].detail.startswith("the connection reaches one organisation, ncesync sandbox")
    assert checks["mapped contacts"].detail == "3 of 3 found and in use"
    assert checks["mapped repeating invoices"].detail == "3 of 3 found and in use"
    assert checks["mapped items"].detail == f"{len(scope().product_ids)} of {len(scope().product_ids)} found and in use"
    assert "doctor made 5 calls" in checks["psa call budget"].detail
    assert _accounting_calls(sandbox) == {  # bulk reads, no write
        "GET xero /api.xro/2.0/RepeatingInvoices": 1,
        "GET xero /api.xro/2.0/Contacts": 1,
        "GET xero /api.xro/2.0/Items": 1,
    }
    assert sandbox.counts["GET xero /connections"] == 1  # the organisation is read once, not again per call


def test_a_refused_client_secret_names_the_variable_and_where_xero_shows_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    options = {
        "client_id": "env:XERO_CLIENT_ID",
        "client_secret": "env:XERO_CLIENT_SECRET",
        "token_url": f"{sandbox.url}/xero/identity/connect/token",
    }
    environ = {"XERO_CLIENT_ID": "sandbox-xero-client-id", "XERO_CLIENT_SECRET": "not-the-secret"}
    context = ProviderContext(str(tmp_path), "Pacific/Auckland", environ=environ)
    provider = XeroProvider.from_config(ProviderConfig("xero", f"{sandbox.url}/xero", options), context)
    checks = _checks(provider)
    credentials = checks["psa credentials"]
    assert not credentials.ok
    assert "Xero refused the custom connection's client id or secret (invalid_client)" in credentials.detail
    assert "the environment variable XERO_CLIENT_SECRET (psa.client_secret)" in credentials.fix
    assert "developer.xero.com > My Apps" in credentials.fix
    assert _failed(checks) == ["psa credentials", "psa organisation"]  # nothing more is tried
    assert _accounting_calls(sandbox) == {}


def test_an_organisation_the_connection_does_not_reach_lists_those_it_does(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    provider = provider_for(sandbox, tmp_path, tenant_id="00000000-0000-4000-8000-000000000000")
    checks = _checks(provider)
    organisation = checks["psa organisation"]
    assert not organisation.ok
    assert organisation.detail == (
        "psa.tenant_id 00000000-0000-4000-8000-000000000000 is not an organisation the connection reaches "
        "(it reaches: ncesync sandbox (5d4a1ba2-9c3e-4f6a-8e21-0c0ffee0a000))"
    )
    assert organisation.fix.startswith("set psa.tenant_id to the organisation's id from that list")
    assert checks["mapped records"].detail == "not checked: the organisation is not reached"
    assert _accounting_calls(sandbox) == {}  # a 403 per check would say less


def test_a_configured_organisation_the_connection_reaches_passes(sandbox: SandboxServer, tmp_path: Path) -> None:
    provider = provider_for(sandbox, tmp_path, tenant_id="5D4A1BA2-9C3E-4F6A-8E21-0C0FFEE0A000")
    checks = _checks(provider)
    assert checks["psa organisation"].ok and "reaches ncesync sandbox" in checks["psa organisation"].detail
    assert _failed(checks) == []


def test_several_organisations_and_none_configured_says_which_ids_exist(provider: XeroProvider, monkeypatch) -> None:
    two = [
        {"tenantId": "11111111-1111-4111-8111-111111111111", "tenantType": "ORGANISATION", "tenantName": "A Ltd"},
        {"tenantId": "22222222-2222-4222-8222-222222222222", "tenantType": "ORGANISATION", "tenantName": "B Ltd"},
    ]
    monkeypatch.setattr(provider.client, "connections", lambda: two)
    organisation = _checks(provider)["psa organisation"]
    assert not organisation.ok
    assert organisation.detail == (
        "the connection reaches 2 organisations (A Ltd (11111111-1111-4111-8111-111111111111), "
        "B Ltd (22222222-2222-4222-8222-222222222222)) and psa.tenant_id is not set"
    )
    assert organisation.fix == "set psa.tenant_id to the id of the organisation to sync"


def test_a_mapped_contact_the_organisation_lacks_or_archived_fails(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    with sandbox.store.lock:
        _record(sandbox, "contacts", "ContactID", KIT.psa_ids(NORTHWIND)[0])["ContactStatus"] = "ARCHIVED"
    chosen = _owned()
    chosen = replace(chosen, company_ids=chosen.company_ids | {NOBODY})
    contacts = _checks(provider, chosen)["mapped contacts"]
    assert not contacts.ok
    assert contacts.detail.startswith("2 of 4: ")
    assert f"contact {NOBODY} was not found in the organisation" in contacts.detail
    assert f"contact 'Northwind Traders' ({KIT.psa_ids(NORTHWIND)[0]}) is ARCHIVED, not ACTIVE" in contacts.detail
    assert contacts.fix.startswith("fix the record in Xero or the mapping in specs/")


def test_a_repeating_invoice_of_another_contact_fails(provider: XeroProvider) -> None:
    contoso, fabrikam = KIT.psa_ids(CONTOSO), KIT.psa_ids(FABRIKAM)
    swapped = Scope(  # each client's file names the other's repeating invoice
        TODAY,
        company_ids=frozenset({contoso[0], fabrikam[0]}),
        agreement_ids=frozenset({contoso[1], fabrikam[1]}),
        product_ids=scope().product_ids,
        owners={contoso[1]: frozenset({fabrikam[0]}), fabrikam[1]: frozenset({contoso[0]})},
    )
    templates = _checks(provider, swapped)["mapped repeating invoices"]
    assert not templates.ok
    assert (
        f"repeating invoice {contoso[1]} belongs to the contact 'Contoso Ltd' ({contoso[0]}), "
        f"not the client's contact {fabrikam[0]}"
    ) in templates.detail
    assert templates.detail.startswith("2 of 2: ")


def test_a_deleted_or_unknown_repeating_invoice_fails_and_says_which(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    contoso = KIT.psa_ids(CONTOSO)[1]
    with sandbox.store.lock:
        _record(sandbox, "repeatingInvoices", "RepeatingInvoiceID", contoso)["Status"] = "DELETED"
    chosen = _owned()
    chosen = replace(chosen, agreement_ids=chosen.agreement_ids | {NOBODY, "1234"})
    templates = _checks(provider, chosen)["mapped repeating invoices"]
    assert not templates.ok
    assert templates.detail.startswith("3 of 5: ")
    assert f"repeating invoice {contoso} was deleted in Xero" in templates.detail
    assert f"{NOBODY} is neither a repeating invoice nor a contact of the organisation" in templates.detail
    assert "1234 is not a Xero RepeatingInvoiceID (a UUID)" in templates.detail
    # the deleted and the unknown id are looked up one by one; the one that is no UUID is not sent
    assert sandbox.counts["GET xero /api.xro/2.0/RepeatingInvoices/{id}"] == 2


def test_a_repeating_invoice_the_sync_cannot_write_fails(provider: XeroProvider, sandbox: SandboxServer) -> None:
    with sandbox.store.lock:
        weekly = _record(sandbox, "repeatingInvoices", "RepeatingInvoiceID", KIT.psa_ids(FABRIKAM)[1])
        weekly["Schedule"]["Unit"] = "WEEKLY"
        bill = _record(sandbox, "repeatingInvoices", "RepeatingInvoiceID", KIT.psa_ids(NORTHWIND)[1])
        bill["Type"] = "ACCPAY"
    templates = _checks(provider)["mapped repeating invoices"]
    assert not templates.ok and templates.detail.startswith("2 of 3: ")
    assert "its schedule repeats every 1 week; ncesync bills monthly periods" in templates.detail
    assert "it is a bill (Type ACCPAY), not a sales invoice" in templates.detail


def test_a_contact_mapped_as_the_agreement_passes_for_monthly_sync_only(provider: XeroProvider) -> None:
    contact = KIT.psa_ids(CONTOSO)[0]
    chosen = Scope(TODAY, company_ids=frozenset({contact}), agreement_ids=frozenset({contact}))
    monthly = _checks(provider, replace(chosen, with_invoices=True))
    assert monthly["mapped repeating invoices"].ok, monthly["mapped repeating invoices"].line()
    daily = _checks(provider, chosen)["mapped repeating invoices"]
    assert not daily.ok
    assert f"{contact} is the contact 'Contoso Ltd', not a repeating invoice; daily sync sets" in daily.detail


def test_an_unknown_item_code_fails_and_a_near_miss_is_named(provider: XeroProvider) -> None:
    chosen = _owned()
    chosen = replace(chosen, product_ids=chosen.product_ids | {"NOPE-1", "m365-bp"})
    items = _checks(provider, chosen)["mapped items"]
    assert not items.ok
    assert items.detail.startswith("2 of ")
    assert "item code 'NOPE-1' was not found among the organisation's items" in items.detail
    assert "item code 'm365-bp' was not found among the organisation's items (Xero has 'M365-BP'" in items.detail


def test_an_item_without_a_sales_account_fails_unless_the_settings_book_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with sandbox.store.lock:
        del _record(sandbox, "items", "Code", "M365-BP")["SalesDetails"]["AccountCode"]
    items = _checks(provider_for(sandbox, tmp_path))["mapped items"]
    assert not items.ok
    assert "item 'M365-BP' has no sales account (SalesDetails.AccountCode)" in items.detail
    booked = _checks(provider_for(sandbox, tmp_path, items={"M365-BP": {"account_code": "201"}}))
    assert booked["mapped items"].ok


def test_a_day_budget_nearly_spent_fails_before_the_nightly_run_would(
    provider: XeroProvider, sandbox: SandboxServer
) -> None:
    sandbox.xero_limits.preset_day(TODAY, 5000 - 110)  # doctor's three reads leave 107
    checks = _checks(provider)
    budget = checks["psa call budget"]
    assert not budget.ok
    assert budget.detail.startswith(
        "107 of the organisation's 5,000 calls a day are left and ncesync keeps 100 (psa.day_limit_reserve), "
        "so 7 are usable; a nightly run takes at most about 15 (two reads of 3 calls, and 3 calls for each "
        "of 3 repeating invoices when all change)"
    ), budget.detail
    assert "midnight UTC" in budget.fix and "psa.day_limit_reserve" in budget.fix
    assert _failed(checks) == ["psa call budget"]


def test_a_day_budget_with_room_passes(provider: XeroProvider, sandbox: SandboxServer) -> None:
    sandbox.xero_limits.preset_day(TODAY, 4000)
    budget = _checks(provider)["psa call budget"]
    assert budget.ok
    assert budget.detail.startswith("997 of the organisation's 5,000 calls a day are left")


def test_a_token_without_a_scope_the_sync_needs_names_the_scopes(provider: XeroProvider) -> None:
    fetch = provider.client.tokens._fetch

    def read_only(form: dict[str, str]) -> Any:
        return {**fetch(form), "scope": "accounting.transactions.read accounting.contacts.read"}

    provider.client.tokens._fetch = read_only  # type: ignore[method-assign]
    scopes = _checks(provider)["psa scopes"]
    assert not scopes.ok
    assert scopes.detail.startswith(
        "the token does not allow reading or writing repeating invoices and invoices, items"
    )
    assert "accounting.transactions, accounting.contacts.read and accounting.settings.read" in scopes.fix
