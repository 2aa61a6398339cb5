"""One-off lines on draft invoices: prorated catch-ups and monthly copies of Dicker Data
invoice lines (`create_charge`), never on an approved invoice.

Each line goes on a draft sales invoice (`ACCREC`, `DRAFT`) of the licence's contact:

* catch-ups on the contact's open "ncesync: seat changes" draft, created by the first
  catch-up of a run when the contact has none (one per client per run at most), so the
  catch-ups of several days wait on one draft until the MSP approves it with the next bill;
* the copies of one Dicker Data invoice on the draft "Dicker Data invoice N" of the contact
  (one per client per Dicker Data invoice), dated the Dicker Data invoice's date.

A draft found by the read is read again before a line is added: one approved meanwhile
takes no line (a new draft is started), and a line whose key it already holds (an
earlier write whose answer was lost) is not added twice. Xero replaces an invoice's lines
with the list sent, so the whole list goes back, `LineItemID`s kept. Lines of one draft
are written one at a time.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from providers.xero.bodies import changed_line, charge_line, draft_body, new_draft, written_line
from providers.xero.client import Record, XeroClient
from providers.xero.mapping import ItemAccounts, charge_marker
from reconciler.errors import ProviderError
from reconciler.plan.change import Change
from reconciler.provider import WriteResult

log = logging.getLogger(__name__)

CATCH_UP_REFERENCE = "ncesync: seat changes"
MONTHLY_REFERENCE = "Dicker Data invoice {}"
Group = tuple[str, str]  # (contact id, lower case; the draft's Reference)


def reference_of(change: Change) -> str:
    number = change.after.get("invoice_number")
    return MONTHLY_REFERENCE.format(number) if number else CATCH_UP_REFERENCE


def is_ours(reference: object) -> bool:
    text = str(reference or "")
    return text == CATCH_UP_REFERENCE or text.startswith(MONTHLY_REFERENCE.format(""))


class DraftWriter:
    def __init__(self, client: XeroClient, *, line_amount_types: str = "Exclusive"):
        self.client = client
        self.line_amount_types = line_amount_types
        self._open: dict[Group, str] = {}  # the draft each group's next line goes on
        self._locks: defaultdict[Group, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def remember(self, drafts: dict[Group, str]) -> None:
        """The open drafts a read found. A read of a few licences (a lost answer being
        settled) says nothing of the other contacts' drafts, so what was known stays; a
        draft approved since is found out when its next line is added."""
        with self._guard:
            self._open.update(drafts)

    def add(self, change: Change, contact_id: str, agreement: str, accounts: ItemAccounts) -> WriteResult:
        group = (contact_id.lower(), reference_of(change))
        line = charge_line(change, agreement, accounts)
        with self._lock(group):
            draft = self._reusable(group, change)
            if draft is not None and _holds(draft, change, agreement):
                return _result(draft, change, agreement, "already on")
            if draft is not None:
                lines = [written_line(x) for x in draft.get("LineItems") or []]
                saved = self.client.save_invoice(str(draft["InvoiceID"]), draft_body(draft, [*lines, line]))
            else:
                body = new_draft(contact_id, change.effective_date, group[1], [line], self.line_amount_types)
                saved = self.client.create_invoice(body)
                self._open[group] = str(saved["InvoiceID"])
        result = _result(saved, change, agreement, "added to")
        log.info(
            "xero.write: action=charge contact=%s invoice=%s key=%s", contact_id, saved.get("InvoiceID"), change.key
        )
        return result

    def update(self, change: Change, invoice_id: str) -> WriteResult:
        """A monthly copy that drifted, on a draft still open."""
        invoice = self.client.invoice(invoice_id)
        if invoice.get("Status") != "DRAFT":
            raise ProviderError(
                f"Xero: invoice {invoice.get('InvoiceNumber') or invoice_id} is "
                f"{invoice.get('Status')}, so its line {change.line_id} is not changed"
            )
        lines = [
            changed_line(x, change)
            if str(x.get("LineItemID")).lower() == str(change.line_id).lower()
            else written_line(x)
            for x in invoice.get("LineItems") or []
        ]
        self.client.save_invoice(invoice_id, draft_body(invoice, lines))
        return WriteResult(record_id=change.line_id, detail=f"line of draft invoice {invoice_id} updated")

    def _reusable(self, group: Group, change: Change) -> Record | None:
        invoice_id = self._open.get(group)
        if invoice_id is None:
            return None
        draft = self.client.invoice(invoice_id)
        if draft.get("Status") != "DRAFT":
            del self._open[group]  # approved (or deleted) since: start a new draft
            return None
        return draft

    def _lock(self, group: Group) -> threading.Lock:
        with self._guard:
            return self._locks[group]


def _is_line_of(line: Record, change: Change, agreement: str) -> bool:
    """The line this change writes: its item, and its key on its agreement."""
    found = charge_marker(line.get("Description"))
    return (
        found is not None
        and found[0].lower() == agreement.lower()
        and found[1] == change.key
        and line.get("ItemCode") == change.product_id
    )


def _holds(invoice: Record, change: Change, agreement: str) -> bool:
    return any(_is_line_of(x, change, agreement) for x in invoice.get("LineItems") or [])


def _result(invoice: Record, change: Change, agreement: str, verb: str) -> WriteResult:
    line_id = next(
        (str(x.get("LineItemID")) for x in invoice.get("LineItems") or [] if _is_line_of(x, change, agreement)), None
    )
    if line_id is None:
        raise ProviderError(f"Xero: invoice {invoice.get('InvoiceID')} was saved without the line for {change.key}")
    number = invoice.get("InvoiceNumber") or invoice.get("InvoiceID")
    return WriteResult(record_id=line_id, detail=f"line {verb} draft invoice {number}")
