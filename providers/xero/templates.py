"""Writes to repeating invoices: a licence's main line is created or changed by sending the
template's whole line list back (`POST /RepeatingInvoices/{id}`).

The template is read again before its first write in a run, so a line someone added in
Xero since the plan's read is sent back too; the template Xero answers is kept for the next
write of the same template in the run. Writes to one template go one at a time, so two
licences of one client never send each other's old line lists.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from providers.xero.bodies import changed_line, new_template_line, template_body, written_line
from providers.xero.client import Record, XeroClient
from providers.xero.mapping import ItemAccounts
from reconciler.errors import ProviderError
from reconciler.plan.change import CREATE_LINE, Change
from reconciler.provider import WriteResult

log = logging.getLogger(__name__)


class TemplateWriter:
    def __init__(self, client: XeroClient):
        self.client = client
        self._fresh: dict[str, Record] = {}  # template id -> as Xero last answered it in this run
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def forget(self) -> None:
        """A new read: templates are read again before their next write."""
        self._fresh.clear()

    def write(self, change: Change, accounts: ItemAccounts) -> WriteResult:
        template_id = str(change.agreement_id).lower()
        with self._guard:
            lock = self._locks[template_id]
        with lock:
            template = self._fresh.get(template_id) or self.client.repeating_invoice(template_id)
            current = [line for line in template.get("LineItems") or [] if isinstance(line, dict)]
            lines = self._lines(change, current, accounts)
            try:
                saved = self.client.save_repeating_invoice(template_id, template_body(template, lines))
            except ProviderError:
                self._fresh.pop(template_id, None)  # the next write starts from a fresh read
                raise
            self._fresh[template_id] = saved
        line_id = _written_line_id(change, current, saved)
        log.info(
            "xero.write: action=%s repeating_invoice=%s item=%s line=%s",
            change.action,
            template_id,
            change.product_id,
            line_id,
        )
        return WriteResult(record_id=line_id, detail=f"line {line_id} of repeating invoice {template_id}")

    def _lines(self, change: Change, current: list[Record], accounts: ItemAccounts) -> list[Record]:
        lines = [written_line(line) for line in current]
        if change.action == CREATE_LINE:
            if any(line.get("ItemCode") == change.product_id for line in current):
                raise ProviderError(
                    f"Xero: repeating invoice {change.agreement_id} has a line for item "
                    f"{change.product_id} since the plan was made; plan again"
                )
            return [*lines, new_template_line(change, accounts)]
        at = next((n for n, line in enumerate(current) if _same(line.get("LineItemID"), change.line_id)), None)
        if at is None:
            raise ProviderError(
                f"Xero: line {change.line_id} is no longer on repeating invoice {change.agreement_id}; plan again"
            )
        lines[at] = changed_line(current[at], change)
        return lines


def _same(a: object, b: object) -> bool:
    return a is not None and b is not None and str(a).lower() == str(b).lower()


def _written_line_id(change: Change, before: list[Record], saved: Record) -> str | None:
    if change.action != CREATE_LINE:
        return str(change.line_id)
    known = {str(line.get("LineItemID")).lower() for line in before}
    new = [
        line
        for line in saved.get("LineItems") or []
        if line.get("ItemCode") == change.product_id and str(line.get("LineItemID")).lower() not in known
    ]
    return str(new[0]["LineItemID"]) if new and new[0].get("LineItemID") else None
