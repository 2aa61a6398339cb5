"""Xero as a target: the seat counts of a repeating invoice's lines, and one-off lines
(prorated catch-ups, monthly copies of Dicker Data invoices) on draft invoices.

A client maps to a contact (`psa_company_id`: its ContactID) and a repeating invoice
(`agreement_id`: its RepeatingInvoiceID; for monthly sync the ContactID itself will do); a
product to an item (`psa_product`: its Code). A read costs a handful of calls whatever the
number of clients: every repeating invoice with its lines in one call, every item in one,
the invoices this connection created in the charge look-back (a page per 1,000), and the
contacts only for ids no repeating invoice names. Writes: `templates.py`, `drafts.py`; doctor:
`doctor.py`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, time, timedelta, timezone
from typing import Any

from providers.options import whole_number
from providers.unreadable import UnreadableRecords
from providers.xero import connection, doctor, mapping
from providers.xero.client import Record, XeroClient
from providers.xero.drafts import DraftWriter, Group, is_ours
from providers.xero.mapping import GONE_INVOICE, ItemAccounts, SpecIds
from providers.xero.templates import TemplateWriter
from reconciler.errors import ProviderError
from reconciler.model import Agreement, CatalogItem, Check, ProviderConfig, PsaId, PsaLine, PsaState, Scope
from reconciler.model.psa import CHARGE, MAIN
from reconciler.plan import change as actions
from reconciler.plan.change import Change
from reconciler.provider import (
    Capabilities,
    CompanyInfo,
    ProrateSource,
    ProviderContext,
    SeatModel,
    TargetProvider,
    Words,
    WriteResult,
)

log = logging.getLogger(__name__)

DEFAULT_CHARGE_LOOKBACK_DAYS = 93
READ_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")


class XeroProvider(TargetProvider):
    name = "xero"
    settings_schema = connection.SETTINGS_SCHEMA
    # A repeating invoice bills its lines' quantities for whole months and cannot prorate:
    # a prorated change is settled by a catch-up line on a draft invoice.
    capabilities = Capabilities(
        seat_model=SeatModel.QUANTITY,
        prorated_seat_model=SeatModel.QUANTITY_WITH_CATCH_UP,
        prorate_source=ProrateSource.SETTING,
        description_limit=mapping.DESCRIPTION_LIMIT,
        sync_types=frozenset({"daily", "monthly"}),
        line_costs=False,
        words=Words(psa="Xero", agreement="repeating invoice", line="line"),
    )

    def __init__(
        self,
        client: XeroClient,
        *,
        booking: connection.Booking | None = None,
        charge_lookback_days: int = DEFAULT_CHARGE_LOOKBACK_DAYS,
        line_amount_types: str = "Exclusive",
        lock_key: str = "",
        credentials: str = "psa.client_id and psa.client_secret",
    ):
        self.client = client
        self.credentials = credentials  # where the client id and secret come from (doctor's fix)
        self.booking = booking or connection.Booking()
        self.lookback = timedelta(days=charge_lookback_days)
        self.charge_lookback = self.lookback
        self.templates = TemplateWriter(client)
        self.drafts = DraftWriter(client, line_amount_types=line_amount_types)
        self._lock_key = lock_key
        self._accounts: dict[str, ItemAccounts] = {}  # item code -> booking, from reads
        self._contacts: dict[str, str] = {}  # agreement id (lower case) -> its ContactID
        self._templates: set[str] = set()  # agreement ids (lower case) that are repeating invoices
        self._charges: dict[str, str] = {}  # charge line id (lower case) -> its invoice

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> XeroProvider:
        options = config.options
        client = connection.client_from_config(config, context)
        tenant = options.get("tenant_id")
        who = str(tenant) if tenant else hashlib.sha256(client.client_id.encode()).hexdigest()[:12]
        return cls(
            client,
            booking=connection.booking_from_config(config),
            charge_lookback_days=whole_number(
                options.get("charge_lookback_days", DEFAULT_CHARGE_LOOKBACK_DAYS), "psa.charge_lookback_days", minimum=0
            ),
            line_amount_types=str(options.get("line_amount_types") or "Exclusive"),
            lock_key=f"xero:{'sandbox' if config.is_sandbox else who}",
            credentials=connection.credentials_source(config),
        )

    # -- read -----------------------------------------------------------------------------

    def read(self, scope: Scope) -> PsaState:
        self.templates.forget()
        agreements_in, companies_in = SpecIds(scope.agreement_ids), SpecIds(scope.company_ids)
        unreadable = UnreadableRecords()
        agreements: dict[PsaId, Agreement] = {}
        companies: dict[PsaId, str] = {}
        lines: list[PsaLine] = []
        for record in self.client.repeating_invoices() if scope.agreement_ids else []:
            key = agreements_in.get(record.get("RepeatingInvoiceID"))
            if key is not None:
                lines += self._template(record, key, scope, companies_in, agreements, companies, unreadable)
        self._contacts_as_agreements(scope, agreements_in, companies_in, agreements, companies)
        catalog = self._catalog(scope, unreadable)
        if agreements:
            lines += self._charges_read(scope, agreements_in, unreadable)
        log.info(
            "xero.read: repeating_invoices=%d lines=%d items=%d unreadable=%d",
            len(self._templates),
            len(lines),
            len(catalog),
            len(unreadable.found),
        )
        return PsaState(
            companies=companies,
            agreements=agreements,
            lines=tuple(lines),
            catalog=catalog,
            unreadable=unreadable.result(),
        )

    def _template(
        self,
        record: Record,
        key: PsaId,
        scope: Scope,
        companies_in: SpecIds,
        agreements: dict[PsaId, Agreement],
        companies: dict[PsaId, str],
        unreadable: UnreadableRecords,
    ) -> list[PsaLine]:
        agreement = unreadable.parse(mapping.agreement_from_json, record, key, companies_in, agreement_id=key)
        if agreement is None:
            return []
        agreements[key] = agreement
        contact = record["Contact"]
        companies[agreement.company_id] = mapping.contact_name(contact)
        self._contacts[str(key).lower()] = str(contact["ContactID"])
        self._templates.add(str(key).lower())
        found = []
        for line in record.get("LineItems") or []:
            code = line.get("ItemCode") if isinstance(line, dict) else None
            if code in scope.product_ids:
                parsed = unreadable.parse(mapping.template_line, line, key, agreement_id=key, product_id=code)
                found += [parsed] if parsed is not None else []
        return found

    def _contacts_as_agreements(
        self,
        scope: Scope,
        agreements_in: SpecIds,
        companies_in: SpecIds,
        agreements: dict[PsaId, Agreement],
        companies: dict[PsaId, str],
    ) -> None:
        """Agreement ids that name no repeating invoice may name a contact (monthly sync);
        contacts named by no repeating invoice are read for their names."""
        unknown = [str(a) for a in scope.agreement_ids if a not in agreements]
        unnamed = [str(c) for c in scope.company_ids if c not in companies]
        if not unknown and not unnamed:
            return
        for record in self.client.contacts(i.lower() for i in unknown + unnamed):
            contact_id = str(record.get("ContactID") or "")
            key = agreements_in.get(contact_id)
            if key is not None:
                agreements[key] = mapping.contact_agreement(record, key)
                self._contacts[str(key).lower()] = contact_id
            companies[companies_in.spelled(contact_id)] = mapping.contact_name(record)

    def _catalog(self, scope: Scope, unreadable: UnreadableRecords) -> dict[str, CatalogItem]:
        catalog: dict[str, CatalogItem] = {}
        for record in self.client.items() if scope.product_ids else []:
            code = record.get("Code")
            if code not in scope.product_ids or code in catalog:
                continue
            item = unreadable.parse(mapping.catalog_item, record, product_id=code)
            if item is not None:
                catalog[item.product_id] = item
                self._accounts[item.product_id] = mapping.item_accounts(record)
        return catalog

    def _charges_read(self, scope: Scope, agreements_in: SpecIds, unreadable: UnreadableRecords) -> list[PsaLine]:
        """The lines ncesync put on invoices in the look-back, and the drafts still open."""
        since = datetime.combine(scope.sync_date - self.lookback, time(), tzinfo=timezone.utc)
        found: list[PsaLine] = []
        drafts: dict[Group, tuple[str, str]] = {}
        for invoice in self.client.invoices_by_us(statuses=READ_STATUSES, modified_since=since):
            if invoice.get("Status") in GONE_INVOICE:
                continue
            contact = str((invoice.get("Contact") or {}).get("ContactID") or "").lower()
            if invoice.get("Status") == "DRAFT" and is_ours(invoice.get("Reference")):
                group = (contact, str(invoice["Reference"]))
                stamp = str(invoice.get("UpdatedDateUTC") or "")
                if group not in drafts or stamp > drafts[group][0]:
                    drafts[group] = (stamp, str(invoice["InvoiceID"]))
            for line in invoice.get("LineItems") or []:
                marked = mapping.charge_marker(line.get("Description")) if isinstance(line, dict) else None
                key = agreements_in.get(marked[0]) if marked else None
                if marked is None or key is None:
                    continue
                parsed = unreadable.parse(
                    mapping.charge_line,
                    line,
                    invoice,
                    key,
                    marked[1],
                    agreement_id=key,
                    product_id=line.get("ItemCode"),
                )
                if parsed is not None:
                    found.append(parsed)
                    self._charges[str(parsed.id).lower()] = str(invoice.get("InvoiceID"))
        self.drafts.remember({group: invoice_id for group, (_, invoice_id) in drafts.items()})
        return found

    def companies(self) -> dict[PsaId, CompanyInfo]:
        by_contact: dict[str, list[Agreement]] = {}
        everyone = SpecIds(())
        for record in self.client.repeating_invoices():
            try:
                agreement = mapping.agreement_from_json(record, str(record.get("RepeatingInvoiceID")), everyone)
            except ProviderError:
                continue  # a bill, a weekly schedule: not a candidate
            if agreement.is_active:
                by_contact.setdefault(str(agreement.company_id).lower(), []).append(agreement)
        contacts = self.client.all_contacts()
        log.info("xero.companies: contacts=%d repeating_invoices=%d", len(contacts), sum(map(len, by_contact.values())))
        result: dict[PsaId, CompanyInfo] = {}
        for record in contacts:
            contact_id = str(record.get("ContactID") or "")
            if contact_id and record.get("ContactStatus", "ACTIVE") == "ACTIVE":
                found = tuple(sorted(by_contact.get(contact_id.lower(), []), key=lambda a: str(a.id)))
                result[contact_id] = CompanyInfo(contact_id, mapping.contact_name(record), found)
        return result

    # -- write ----------------------------------------------------------------------------

    def write(self, change: Change) -> WriteResult:
        try:
            if change.action == actions.CREATE_CHARGE:
                return self._charge(change)
            if change.line_kind == CHARGE and change.action == actions.UPDATE_LINE:
                return self._charge_update(change)
            if change.line_kind == MAIN and change.action in (
                actions.CREATE_LINE,
                actions.SET_QUANTITY,
                actions.UPDATE_LINE,
            ):
                return self._template_write(change)
        except (KeyError, ValueError, TypeError) as exc:
            raise ProviderError(
                f"Xero: the {change.action} change for {change.agreement_id}, item "
                f"{change.product_id} cannot be written: {exc!r}"
            ) from exc
        raise ProviderError(f"Xero cannot perform a {change.action} change ({change.line_kind} line)")

    def _template_write(self, change: Change) -> WriteResult:
        if str(change.agreement_id).lower() not in self._templates:
            raise ProviderError(
                f"Xero: {change.agreement_id} is not a repeating invoice this run read (a "
                "contact?); daily sync writes a repeating invoice's lines, so map the client's "
                "repeating invoice as agreement_id"
            )
        return self.templates.write(change, self._booking(change.product_id))

    def _charge(self, change: Change) -> WriteResult:
        contact = self._contacts.get(str(change.agreement_id).lower())
        if contact is None:
            raise ProviderError(f"Xero: no contact is known for {change.agreement_id}; plan again")
        return self.drafts.add(change, contact, str(change.agreement_id), self._booking(change.product_id))

    def _charge_update(self, change: Change) -> WriteResult:
        invoice = self._charges.get(str(change.line_id).lower())
        if invoice is None:
            raise ProviderError(f"Xero: line {change.line_id} was not on an invoice this run read; plan again")
        return self.drafts.update(change, invoice)

    def _booking(self, code: str) -> ItemAccounts:
        return self.booking.of(code, self._accounts.get(code, ItemAccounts(None, None, code)))

    # -- the rest of the contract ---------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts()

    def diagnose(self, scope: Scope) -> list[Check]:
        return doctor.diagnose(self.client, scope, doctor.Setup(self.credentials, self.booking))

    def tenant_key(self) -> str:
        """The organisation, or (not configured) a hash of the connection's client id."""
        return self._lock_key or "xero"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name, "endpoint": self.client.endpoint}
