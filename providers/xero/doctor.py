"""`ncesync doctor` for Xero: the custom connection's token and scopes, the organisation,
the mapped contacts, repeating invoices and items, and the day's call budget.

Reads only, in a few calls whatever the number of clients, as a read makes them: the token,
`GET /connections`, every repeating invoice in one call, every item in one, the mapped
contacts 40 ids a call, and one call for each mapped id (at most five) found neither among
the repeating invoices nor among the contacts, to tell a deleted repeating invoice from an
unknown id. Each finding is a Check carrying its fix; a failed call is a failed Check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil

from providers.xero import mapping
from providers.xero.client import IDS_PER_CALL, Record, XeroClient, is_xero_id
from providers.xero.connection import Booking
from providers.xero.limits import PER_DAY
from providers.xero.mapping import SpecIds
from reconciler.errors import ProviderError
from reconciler.model import Check, PsaId, Scope

SHOWN = 5  # problems listed in one line, and unknown ids looked up one by one
PORTAL = "Xero's developer portal (developer.xero.com > My Apps > your custom connection > Configuration)"
# What the sync reads and writes, and the scopes of Xero's API document that allow it
# (the first of each also allows the writes).
SCOPES = (
    ("repeating invoices and invoices", ("accounting.transactions",)),
    ("contacts", ("accounting.contacts", "accounting.contacts.read")),
    ("items", ("accounting.settings", "accounting.settings.read")),
)
SCOPE_FIX = (
    "give the custom connection the scopes accounting.transactions, accounting.contacts.read and "
    f"accounting.settings.read in {PORTAL} (and list them in psa.scopes if it is set)"
)
RECORD_FIX = "fix the record in Xero or the mapping in specs/ (ncesync validate, then doctor again)"
WRITES_PER_TEMPLATE = 3  # a read and a save of the repeating invoice, and a catch-up's draft invoice
READS = 3  # a run's read: the repeating invoices, the items, and a page of ncesync's invoices


@dataclass(frozen=True)
class Setup:
    """What doctor needs of the provider's settings besides the client."""

    credentials: str  # where the client id and secret come from, for the fix of a refusal
    booking: Booking


@dataclass
class _Found:
    """What the reads found, for the checks after them."""

    templates: dict[str, Record]  # RepeatingInvoiceID (lower case) -> the repeating invoice
    contacts: dict[str, Record]  # ContactID (lower case) -> the contact
    looked_up: dict[str, Record | ProviderError]  # ids found in neither list, read one by one


def diagnose(client: XeroClient, scope: Scope, setup: Setup) -> list[Check]:
    before = sum(client.request_counts().values())
    credentials = _credentials(client, setup)
    if not credentials.ok:
        return [credentials, Check("psa organisation", False, "not checked: no token", credentials.fix)]
    checks = [credentials, _scopes(client)]
    organisation = _organisation(client)
    checks.append(organisation)
    if not organisation.ok:
        return [
            *checks,
            Check("mapped records", False, "not checked: the organisation is not reached", organisation.fix),
        ]
    templates, template_check = _repeating_invoices(client, scope)
    contacts, contact_error = _contacts(client, scope, templates)
    found = _Found(templates or {}, contacts or {}, {})
    checks.append(_mapped_contacts(scope, found, contact_error))
    checks.append(template_check or _mapped_templates(client, scope, found, contact_error))
    checks.append(_mapped_items(client, scope, setup.booking))
    made = sum(client.request_counts().values()) - before
    checks.append(_budget(client, scope, found, made))
    return checks


# -- the connection ---------------------------------------------------------------------


def _credentials(client: XeroClient, setup: Setup) -> Check:
    try:
        client.tokens.bearer()
    except ProviderError as exc:
        if "invalid_scope" in (exc.vendor_message or ""):
            fix = f"psa.scopes asks for a scope the custom connection does not have: check it in {PORTAL}"
        elif exc.status == 401:
            fix = (
                f"check {setup.credentials}: the custom connection's client id and secret, shown in "
                f"{PORTAL}; a secret generated there replaces the old one"
            )
        else:
            fix = f"check psa.token_url and that {client.token_url} can be reached"
        return Check("psa credentials", False, str(exc), fix)
    return Check("psa credentials", True, "Xero granted the custom connection an access token")


def _scopes(client: XeroClient) -> Check:
    granted = client.tokens.granted
    if granted is None:
        return Check(
            "psa scopes", True, "the token's answer names no scopes; a missing one shows as a refused read below"
        )
    missing = [what for what, allowing in SCOPES if not granted & set(allowing)]
    if missing:
        return Check(
            "psa scopes",
            False,
            f"the token does not allow reading or writing {', '.join(missing)} (granted: {' '.join(sorted(granted))})",
            SCOPE_FIX,
        )
    return Check("psa scopes", True, f"the token allows {', '.join(w for w, _ in SCOPES)}")


def _organisation(client: XeroClient) -> Check:
    try:
        connections = client.connections()
    except ProviderError as exc:
        return Check("psa organisation", False, str(exc), "see the error")
    organisations = [c for c in connections if str(c.get("tenantType", "ORGANISATION")).upper() == "ORGANISATION"]
    named = {str(c.get("tenantId") or "").lower(): c for c in organisations if c.get("tenantId")}
    listed = ", ".join(f"{c.get('tenantName')} ({c.get('tenantId')})" for c in organisations) or "none"
    configured = client.configured_tenant
    if configured:
        organisation = named.get(configured.lower())
        if organisation is None:
            return Check(
                "psa organisation",
                False,
                f"psa.tenant_id {configured} is not an organisation the connection reaches (it reaches: {listed})",
                "set psa.tenant_id to the organisation's id from that list, or connect the organisation to the "
                f"custom connection in {PORTAL}",
            )
        return Check(
            "psa organisation", True, f"the connection reaches {organisation.get('tenantName')} ({configured})"
        )
    if len(named) != 1:
        return Check(
            "psa organisation",
            False,
            f"the connection reaches {len(named)} organisations ({listed}) and psa.tenant_id is not set",
            "set psa.tenant_id to the id of the organisation to sync"
            if named
            else f"connect the organisation to the custom connection in {PORTAL}",
        )
    (only,) = named.values()
    client.use_organisation(str(only["tenantId"]))
    return Check(
        "psa organisation",
        True,
        f"the connection reaches one organisation, {only.get('tenantName')} ({only['tenantId']})",
    )


# -- the mapped records -----------------------------------------------------------------


def _repeating_invoices(client: XeroClient, scope: Scope) -> tuple[dict[str, Record] | None, Check | None]:
    if not scope.agreement_ids:
        return {}, None
    try:
        records = client.repeating_invoices()
    except ProviderError as exc:
        return None, Check("mapped repeating invoices", False, str(exc), _fix_of(exc))
    return {str(r.get("RepeatingInvoiceID") or "").lower(): r for r in records}, None


def _contacts(
    client: XeroClient, scope: Scope, templates: dict[str, Record] | None
) -> tuple[dict[str, Record] | None, ProviderError | None]:
    """The mapped contacts, and the agreement ids no repeating invoice has (a contact, for
    monthly sync), archived ones too."""
    wanted = {str(c).lower() for c in scope.company_ids if is_xero_id(c)}
    if templates is not None:
        wanted |= {str(a).lower() for a in scope.agreement_ids if is_xero_id(a) and str(a).lower() not in templates}
    if not wanted:
        return {}, None
    try:
        return {str(r.get("ContactID") or "").lower(): r for r in client.contacts(wanted)}, None
    except ProviderError as exc:
        return None, exc


def _mapped_contacts(scope: Scope, found: _Found, error: ProviderError | None) -> Check:
    if error is not None:
        return Check("mapped contacts", False, str(error), _fix_of(error))
    return _each("mapped contacts", scope.company_ids, lambda c: _contact_problem(c, found.contacts))


def _contact_problem(contact_id: PsaId, contacts: dict[str, Record]) -> str:
    if not is_xero_id(contact_id):
        return f"{contact_id} is not a Xero ContactID (a UUID)"
    record = contacts.get(str(contact_id).lower())
    if record is None:
        return f"contact {contact_id} was not found in the organisation"
    status = str(record.get("ContactStatus") or "ACTIVE")
    if status != "ACTIVE":
        return f"contact {mapping.contact_name(record)!r} ({contact_id}) is {status}, not ACTIVE"
    return ""


def _mapped_templates(client: XeroClient, scope: Scope, found: _Found, contact_error: ProviderError | None) -> Check:
    unknown = [
        str(a).lower()
        for a in sorted(scope.agreement_ids, key=str)
        if is_xero_id(a) and str(a).lower() not in found.templates and str(a).lower() not in found.contacts
    ]
    if contact_error is None:
        for agreement in unknown[:SHOWN]:  # deleted ones are not listed; unknown ids 404
            try:
                found.looked_up[agreement] = client.repeating_invoice(agreement)
            except ProviderError as exc:
                found.looked_up[agreement] = exc
    companies = SpecIds(scope.company_ids)
    return _each(
        "mapped repeating invoices",
        scope.agreement_ids,
        lambda a: _template_problem(a, scope, found, companies, contact_error),
    )


def _template_problem(
    key: PsaId, scope: Scope, found: _Found, companies: SpecIds, contact_error: ProviderError | None
) -> str:
    if not is_xero_id(key):
        return f"{key} is not a Xero RepeatingInvoiceID (a UUID)"
    wanted = str(key).lower()
    record = found.templates.get(wanted)
    if record is not None:
        return _template_record_problem(record, key, scope, companies)
    contact = found.contacts.get(wanted)
    if contact is not None:
        if scope.with_invoices:
            return ""  # monthly sync copies invoice lines onto the contact's draft invoices
        return (
            f"{key} is the contact {mapping.contact_name(contact)!r}, not a repeating invoice; daily sync "
            "sets the quantities of a repeating invoice's lines, so map the client's repeating invoice as agreement_id"
        )
    looked_up = found.looked_up.get(wanted)
    if isinstance(looked_up, ProviderError):
        if looked_up.status == 404:
            return f"{key} is neither a repeating invoice nor a contact of the organisation"
        return str(looked_up)
    if isinstance(looked_up, dict):
        return _template_record_problem(looked_up, key, scope, companies)
    if contact_error is not None:
        return f"{key} is not among the organisation's repeating invoices, and the contacts could not be read"
    return f"{key} is not among the organisation's repeating invoices"


def _template_record_problem(record: Record, key: PsaId, scope: Scope, companies: SpecIds) -> str:
    if record.get("Status") == "DELETED":
        return f"repeating invoice {key} was deleted in Xero; Xero takes no change to it"
    try:
        agreement = mapping.agreement_from_json(record, key, companies)
    except ProviderError as exc:
        return str(exc)
    if agreement.end_date is not None and agreement.end_date < scope.sync_date:
        return f"repeating invoice {key} ended on {agreement.end_date.isoformat()} (its schedule's EndDate)"
    contact = record["Contact"]
    contact_id = str(contact.get("ContactID") or "").lower()
    owners = scope.owners.get(key)
    expected = {str(c).lower() for c in (owners if owners else scope.company_ids)}
    if contact_id not in expected:
        whose = f"the client's contact {', '.join(sorted(map(str, owners)))}" if owners else "a mapped contact"
        return (
            f"repeating invoice {key} belongs to the contact {mapping.contact_name(contact)!r} "
            f"({contact.get('ContactID')}), not {whose}"
        )
    return ""


def _mapped_items(client: XeroClient, scope: Scope, booking: Booking) -> Check:
    if not scope.product_ids:
        return Check("mapped items", True, "none mapped")
    try:
        items = client.items()
    except ProviderError as exc:
        return Check("mapped items", False, str(exc), _fix_of(exc))
    by_code = {str(i.get("Code")): i for i in items if i.get("Code")}
    by_folded = {code.casefold(): code for code in by_code}
    return _each("mapped items", scope.product_ids, lambda c: _item_problem(str(c), by_code, by_folded, booking))


def _item_problem(code: str, by_code: dict[str, Record], by_folded: dict[str, str], booking: Booking) -> str:
    record = by_code.get(code)
    if record is None:
        near = by_folded.get(code.casefold())
        hint = f" (Xero has {near!r}: item codes are matched exactly)" if near else ""
        return f"item code {code!r} was not found among the organisation's items{hint}"
    try:
        mapping.catalog_item(record)
    except ProviderError as exc:
        return str(exc)
    if booking.of(code, mapping.item_accounts(record)).account_code is None:
        return (
            f"item {code!r} has no sales account (SalesDetails.AccountCode) and neither psa.account_code nor "
            f"psa.items.{code}.account_code sets one; Xero refuses a priced line without an account"
        )
    return ""


# -- the day's calls --------------------------------------------------------------------


def _budget(client: XeroClient, scope: Scope, found: _Found, made: int) -> Check:
    remaining, reserve = client.limits.day_remaining, client.limits.reserve
    if remaining is None:
        return Check(
            "psa call budget",
            False,
            f"not checked: no Accounting API answer said how many calls are left today ({made} calls made)",
            "see the checks above",
        )
    named = {str((t.get("Contact") or {}).get("ContactID") or "").lower() for t in found.templates.values()}
    templates = sum(1 for a in scope.agreement_ids if str(a).lower() in found.templates)
    unnamed = sum(1 for c in scope.company_ids if str(c).lower() not in named) + len(scope.agreement_ids) - templates
    reads = READS + ceil(unnamed / IDS_PER_CALL)
    needed = 2 * reads + WRITES_PER_TEMPLATE * templates
    usable = remaining - reserve
    detail = (
        f"{remaining:,} of the organisation's {PER_DAY:,} calls a day are left and ncesync keeps {reserve:,} "
        f"(psa.day_limit_reserve), so {max(usable, 0):,} are usable; a nightly run takes at most about {needed:,} "
        f"(two reads of {reads} calls, and {WRITES_PER_TEMPLATE} calls for each of {templates} repeating invoices "
        f"when all change); doctor made {made} calls"
    )
    if usable < needed:
        return Check(
            "psa call budget",
            False,
            detail,
            "wait for Xero's day to reset (midnight UTC), find the other app spending the organisation's calls, "
            "or lower psa.day_limit_reserve",
        )
    return Check("psa call budget", True, detail)


# -- helpers ----------------------------------------------------------------------------


def _each(name: str, wanted: Iterable[PsaId], problem_of: Callable[[PsaId], str]) -> Check:
    """One check over every mapped record: found, and one the sync can use."""
    ids = sorted(wanted, key=str)
    if not ids:
        return Check(name, True, "none mapped")
    found = [p for p in (problem_of(i) for i in ids) if p]
    if not found:
        return Check(name, True, f"{len(ids)} of {len(ids)} found and in use")
    shown = "; ".join(found[:SHOWN]) + (f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return Check(name, False, f"{len(found)} of {len(ids)}: {shown}", RECORD_FIX)


def _fix_of(exc: ProviderError) -> str:
    if exc.status == 403:
        return SCOPE_FIX
    if exc.status == 429:
        return "wait until Xero's limit allows calls again (the minute's, or the day's at midnight UTC)"
    return "see the error"
