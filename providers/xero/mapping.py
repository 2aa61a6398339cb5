"""Pure conversion from Xero's JSON to the model (no I/O). Request bodies: `bodies.py`.

* A repeating invoice (an `ACCREC` template on a monthly schedule) is an Agreement; its
  status DRAFT or AUTHORISED is active, DELETED cancelled. Its periods start on the day of
  the month the schedule repeats on (`schedule_day`: read from `NextScheduledDate` and
  `StartDate`); `EndDate` ends it.
* A template line whose `ItemCode` is a mapped product is that licence's main line: its
  `Quantity` the seats, `UnitAmount` the price, `Description` the invoice text. Xero's
  lines have no cost and no dates: one open span.
* A line ncesync put on an invoice (a catch-up or a monthly copy) ends its `Description`
  with `[ncesync:charge AGREEMENT KEY]`, AGREEMENT being the repeating invoice (or contact)
  the licence is mapped to: it is read back as a charge with that key.
* An item is a catalogue entry: `Code` the product id, `SalesDetails.UnitPrice` the price.

Ids are Xero's UUIDs; the model keeps them as the specs spell them (`SpecIds`), so a
client file may write them in capitals. A field that decides money or status and is
missing, of the wrong type or an unknown value raises ProviderError naming the record.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from providers.marker import read_marker, strip_marker
from providers.record import VendorRecord, decimal, flag, string, whole
from providers.xero.dates import xero_date
from reconciler.model.psa import CHARGE, MAIN, Agreement, CatalogItem, PsaId, PsaLine, UnitSpan

Record = dict[str, Any]
DESCRIPTION_LIMIT = 4000  # a line's Description
TEMPLATE_STATUSES = {"AUTHORISED": "Active", "DRAFT": "Active", "DELETED": "Cancelled"}
CONTACT_STATUSES = {"ACTIVE": "Active", "ARCHIVED": "Inactive", "GDPRREQUEST": "Inactive"}
OPEN_INVOICE = ("DRAFT", "SUBMITTED")  # lines may still change
GONE_INVOICE = ("DELETED", "VOIDED")  # bills nothing


class SpecIds:
    """Xero's ids (lower-case UUIDs) as the deployment's specs spell them."""

    def __init__(self, ids: Iterable[PsaId]):
        self._by = {str(i).lower(): i for i in ids}

    def get(self, xero_id: object) -> PsaId | None:
        return self._by.get(str(xero_id).lower()) if xero_id else None

    def spelled(self, xero_id: str) -> PsaId:
        return self._by.get(xero_id.lower(), xero_id)


@dataclass(frozen=True)
class ItemAccounts:
    """What a line of the item is booked to, from the item's sales details."""

    account_code: str | None
    tax_type: str | None
    name: str


def agreement_from_json(record: Record, key: PsaId, companies: SpecIds) -> Agreement:
    data = VendorRecord(record, f"Xero repeating invoice {key}")
    status = data.text("Status")
    if status not in TEMPLATE_STATUSES:
        raise data.error(
            f"{data.where}: field Status: unknown status {status!r} (expected one of {', '.join(TEMPLATE_STATUSES)})"
        )
    kind = data.text("Type")
    if kind == "ACCPAY":
        raise data.error(
            f"{data.where}: it is a bill (Type ACCPAY), not a sales invoice; map the client's sales repeating invoice"
        )
    if kind != "ACCREC":
        raise data.error(f"{data.where}: field Type: unknown type {kind!r} (expected ACCREC, a sales invoice)")
    schedule = data.nested("Schedule")
    unit, every = schedule.text("Unit"), schedule.required("Period", whole)
    if unit not in ("MONTHLY", "WEEKLY"):
        raise data.error(f"{data.where}: Schedule: field Unit: unknown unit {unit!r} (expected MONTHLY or WEEKLY)")
    if unit != "MONTHLY" or every != 1:
        word = {"WEEKLY": "week", "MONTHLY": "month"}[unit]
        raise data.error(
            f"{data.where}: its schedule repeats every {every} {word}{'' if every == 1 else 's'}; "
            "ncesync bills monthly periods, so it syncs repeating invoices that repeat every month"
        )
    contact = data.nested("Contact")
    return Agreement(
        id=key,
        company_id=companies.spelled(contact.text("ContactID")),
        name=data.optional("Reference", string) or f"{contact.optional('Name', string) or ''} repeating invoice",
        status=TEMPLATE_STATUSES[status],
        end_date=schedule.optional("EndDate", xero_date),
        billing_day=schedule_day(
            schedule.required("NextScheduledDate", xero_date), schedule.optional("StartDate", xero_date)
        ),
    )


def schedule_day(next_date: date, start_date: date | None) -> int:
    """The day of the month a monthly schedule repeats on.

    Xero serves each date of the schedule already moved to its month's last day when the
    month is shorter (a schedule on the 31st shows 29 February, 30 April), so a month's last
    day says only "this day or later". A date before its month's end is the day itself; else
    the later of the two dates' days, which is exact unless both fall on the ends of short
    months (docs/xero.md: the one case Xero's answer cannot settle).
    """
    dates = [d for d in (next_date, start_date) if d is not None]
    exact = [d.day for d in dates if d.day < calendar.monthrange(d.year, d.month)[1]]
    return exact[0] if exact else max(d.day for d in dates)


def contact_agreement(record: Record, key: PsaId) -> Agreement:
    """A contact mapped as the agreement itself (monthly sync without a repeating invoice)."""
    data = VendorRecord(record, f"Xero contact {key}")
    status = data.text("ContactStatus", "ACTIVE")
    return Agreement(
        id=key,
        company_id=key,
        name=data.optional("Name", string) or "",
        status=CONTACT_STATUSES.get(status, "Inactive"),
    )


def template_line(line: Record, key: PsaId) -> PsaLine:
    """A repeating invoice's line of a mapped item: the licence's main line."""
    data = VendorRecord(line, f"Xero repeating invoice {key} line {line.get('LineItemID')!r}")
    return PsaLine(
        id=data.text("LineItemID"),
        agreement_id=key,
        product_id=data.text("ItemCode"),
        kind=MAIN,
        spans=(UnitSpan(None, None, data.required("Quantity", whole)),),
        unit_price=data.required("UnitAmount", decimal),
        unit_cost=Decimal("0"),
        invoice_description=data.optional("Description", string) or "",
    )


def charge_marker(description: Any) -> tuple[str, str] | None:
    """(agreement id as written, key) of a line ncesync wrote, else None."""
    marker = read_marker(description if isinstance(description, str) else "")
    if marker.kind != CHARGE or not marker.key or " " not in marker.key:
        return None
    agreement, _, key = marker.key.partition(" ")
    return agreement, key.strip()


def charge_line(line: Record, invoice: Record, agreement: PsaId, key: str) -> PsaLine:
    """A catch-up or monthly copy on an invoice; read-only once the invoice is approved."""
    where = f"Xero invoice {invoice.get('InvoiceNumber') or invoice.get('InvoiceID')!r} line {line.get('LineItemID')!r}"
    data, head = VendorRecord(line, where), VendorRecord(invoice, where)
    day = head.required("Date", xero_date)
    description = data.optional("Description", string) or ""
    return PsaLine(
        id=data.text("LineItemID"),
        agreement_id=agreement,
        product_id=data.text("ItemCode", ""),
        kind=CHARGE,
        spans=(UnitSpan(day, day, data.required("Quantity", whole)),),
        unit_price=data.required("UnitAmount", decimal),
        unit_cost=Decimal("0"),
        description=description,
        invoice_description=strip_marker(description).strip(),
        key=key,
        billed=head.text("Status") not in OPEN_INVOICE,
    )


def catalog_item(record: Record) -> CatalogItem:
    data = VendorRecord(record, f"Xero item {record.get('Code')!r}")
    if data.optional("IsSold", flag) is False:
        raise data.error(
            f"{data.where}: it is not sold (IsSold false), so Xero refuses it on a sales "
            "invoice; tick 'I sell this item' in Xero"
        )
    sales = data.nested("SalesDetails")
    purchases = record.get("PurchaseDetails") if isinstance(record.get("PurchaseDetails"), dict) else {}
    return CatalogItem(
        product_id=data.text("Code"),
        id=data.text("ItemID"),
        description=data.optional("Name", string) or "",
        price=sales.required("UnitPrice", decimal),
        cost=VendorRecord(purchases, lambda: data.where).optional("UnitPrice", decimal) or Decimal("0"),
    )


def item_accounts(record: Record) -> ItemAccounts:
    found = record.get("SalesDetails")
    sales: Record = found if isinstance(found, dict) else {}
    return ItemAccounts(_text(sales.get("AccountCode")), _text(sales.get("TaxType")), _text(record.get("Name")) or "")


def contact_name(record: Record) -> str:
    return str(record.get("Name") or "")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
