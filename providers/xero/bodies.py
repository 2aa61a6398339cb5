"""Request bodies for Xero's writes, built from what was read and what a change says. Pure.

Xero replaces a repeating invoice's (or an invoice's) lines with the list a POST sends:
every line goes back, with its `LineItemID`, whatever ncesync manages; a line without an
id is added. What Xero works out itself (line and tax amounts, totals) is not sent, so a
new quantity is never sent beside a stale amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from providers.marker import Marker, read_marker, with_marker
from providers.xero.dates import ms_date
from providers.xero.mapping import DESCRIPTION_LIMIT, ItemAccounts
from reconciler.model.psa import CHARGE, PsaId
from reconciler.money import json_number
from reconciler.plan.change import Change

Record = dict[str, Any]
LINE_FIELDS = (
    "LineItemID",
    "Description",
    "Quantity",
    "UnitAmount",
    "ItemCode",
    "AccountCode",
    "TaxType",
    "DiscountRate",
    "DiscountAmount",
    "Tracking",
)
TEMPLATE_FIELDS = (
    "RepeatingInvoiceID",
    "Type",
    "Schedule",
    "LineAmountTypes",
    "Reference",
    "BrandingThemeID",
    "CurrencyCode",
    "Status",
    "ApprovedForSending",
    "SendCopy",
    "MarkAsSent",
    "IncludePDF",
)


def written_line(line: Record) -> Record:
    """A line as it is sent back: the fields a writer sets, not Xero's computed amounts."""
    return {k: plain(line[k]) for k in LINE_FIELDS if line.get(k) is not None}


def plain(value: Any) -> Any:
    """A value read (amounts as Decimal) as JSON can carry it, amounts with the same text."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, list):
        return [plain(x) for x in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def template_body(template: Record, lines: list[Record]) -> Record:
    """The repeating invoice as read, with `lines` as its whole line list."""
    body = {k: plain(template[k]) for k in TEMPLATE_FIELDS if template.get(k) is not None}
    body["Contact"] = {"ContactID": template["Contact"]["ContactID"]}
    body["LineItems"] = lines
    return body


def new_template_line(change: Change, accounts: ItemAccounts) -> Record:
    """The main line a `create_line` adds: the item, n seats at the profile price."""
    after = change.after
    line: Record = {
        "ItemCode": change.product_id,
        "Description": _cut(after.get("invoice_description") or accounts.name or change.product_key),
        "Quantity": int(after["quantity"]),
        "UnitAmount": json_number(after["unit_price"]),
    }
    return {**line, **_booking(accounts)}


def changed_line(line: Record, change: Change) -> Record:
    """A main (or charge) line with what a `set_quantity`/`update_line` writes."""
    after, updated = change.after, written_line(line)
    if "quantity" in after:
        updated["Quantity"] = int(after["quantity"])
    if "unit_price" in after:
        updated["UnitAmount"] = json_number(after["unit_price"])
    if "invoice_description" in after:
        text = str(after["invoice_description"] or "")
        marker = _marker_of(line)
        updated["Description"] = _with(text, marker) if marker else _cut(text)
    return updated


def charge_line(change: Change, agreement: PsaId, accounts: ItemAccounts) -> Record:
    """A one-off line (a catch-up or a monthly copy), its key at the end of the text."""
    after = change.after
    marker = Marker(CHARGE, f"{agreement} {change.key}")
    line: Record = {
        "ItemCode": change.product_id,
        "Description": _with(str(after.get("invoice_description") or change.product_key), marker),
        "Quantity": int(after["quantity"]),
        "UnitAmount": json_number(after["unit_price"]),
    }
    return {**line, **_booking(accounts)}


def new_draft(contact_id: str, day: str, reference: str, lines: list[Record], line_amount_types: str) -> Record:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": ms_date(day),
        "Status": "DRAFT",
        "Reference": reference,
        "LineAmountTypes": line_amount_types,
        "LineItems": lines,
    }


def draft_body(invoice: Record, lines: list[Record]) -> Record:
    return {"InvoiceID": invoice["InvoiceID"], "LineItems": lines}


def _booking(accounts: ItemAccounts) -> Record:
    booked: Record = {}
    if accounts.account_code:
        booked["AccountCode"] = accounts.account_code
    if accounts.tax_type:
        booked["TaxType"] = accounts.tax_type
    return booked


def _marker_of(line: Record) -> Marker | None:
    description = line.get("Description")
    marker = read_marker(description if isinstance(description, str) else "")
    return marker if marker.kind == CHARGE else None


def _with(text: str, marker: Marker) -> str:
    room = DESCRIPTION_LIMIT - len(marker.text()) - 1
    return with_marker(text[:room], marker)


def _cut(text: str) -> str:
    return text[:DESCRIPTION_LIMIT]
