"""Pure conversion of Dicker Data API JSON into the model. No HTTP here.

Every record is read strictly: a missing field or a value that does not parse raises
SourceError naming the endpoint, the record and the field. The caller never sees a
partially converted answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from providers.dickerdata import values
from providers.record import VendorRecord
from reconciler.errors import SourceError
from reconciler.model import Customer, Invoice, InvoiceLine, StockCode, Subscription

T = TypeVar("T")

# The API quotes UnitPrice/UnitRRP per billing period of BillingFrequency.
PERIOD_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}


@dataclass(frozen=True)
class InvoiceRef:
    """One entry of the invoice list: enough to ask for the invoice's lines."""

    number: str
    date: date


def _Record(data: Any, where: str) -> VendorRecord:
    """A Dicker Data record: a missing field is a SourceError (never zero seats)."""
    return VendorRecord(data, where, error=SourceError)


def stock_code(value: Any) -> str:
    return StockCode.parse(str(value)).raw


def billing_frequency(value: Any) -> str:
    name = str(value).strip().lower()
    if name not in PERIOD_MONTHS:
        raise ValueError(f"{value!r} is not Monthly, Annual or Triennial")
    return name


def out_records(answer: Any, where: str) -> list[Any]:
    """The `Out` list of a Subscriptions/* answer; anything else is a failed read."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("Out"), list):
        raise SourceError(f"{where}: the answer has no 'Out' list; refusing to read it as zero seats")
    return list(answer["Out"])


def subscription(data: Any, where: str) -> Subscription:
    record = _Record(data, where)
    frequency = record.required("BillingFrequency", billing_frequency)
    months = PERIOD_MONTHS[frequency]
    rrp = record.optional("UnitRRP", values.amount)
    company = record.text("CompanyName", default=record.text("TenantDescription", default=""))
    return Subscription(
        subscription_id=record.text("SubscriptionId"),
        tenant_id=record.text("TenantId"),
        company_name=company,
        stock_code=record.required("StockCode", stock_code),
        description=record.text("StockDescription", default=""),
        quantity=record.required("ConfirmedQuantity", values.seats),
        status=record.text("Status").upper(),
        billing_frequency=frequency,
        unit_cost=values.per_month(record.required("UnitPrice", values.amount), months),
        unit_rrp=None if rrp is None else values.per_month(rrp, months),
        term_end=record.optional("ExpiryDate", values.iso_date),
        last_billing_date=record.optional("LastBillingDate", values.iso_date),
        next_billing_date=record.optional("NextBillingDate", values.iso_date),
        is_trial=bool(record.optional("IsTrial", values.flag)),
    )


def subscriptions(answer: Any, where: str) -> list[Subscription]:
    """Every subscription of a GetSubscriptionDetails answer, in the order given."""
    result = []
    for index, data in enumerate(out_records(answer, where), start=1):
        label = data.get("SubscriptionId") if isinstance(data, Mapping) else None
        record_where = f"{where}: record {index}" + (f" (SubscriptionId {label})" if label else "")
        result.append(subscription(data, record_where))
    return result


def customers(subs: list[Subscription]) -> tuple[Customer, ...]:
    """One customer per tenant id, named as its first subscription names it."""
    seen: dict[str, Customer] = {}
    for sub in subs:
        seen.setdefault(sub.tenant_id, Customer(tenant_id=sub.tenant_id, name=sub.company_name))
    return tuple(sorted(seen.values(), key=lambda c: c.tenant_id))


def invoice_refs(answer: Any, where: str) -> list[InvoiceRef]:
    """The Account/Invoice list: `[{InvoiceNumber, InvoiceDate, Total}]`."""
    if not isinstance(answer, list):
        raise SourceError(f"{where}: expected a JSON list of invoices")
    refs = []
    for index, data in enumerate(answer, start=1):
        record = _Record(data, f"{where}: record {index}")
        invoice_date = record.required("InvoiceDate", values.any_date)
        refs.append(InvoiceRef(record.text("InvoiceNumber"), invoice_date))
    return refs


def invoice(answer: Any, where: str) -> Invoice:
    """One Account/InvoiceDetails answer. Lines that belong to no subscription are skipped."""
    record = _Record(answer, where)
    number = record.text("InvoiceNumber")
    invoice_date = record.required("InvoiceDate", values.any_date)
    lines_data = record.data.get("Lines")
    if not isinstance(lines_data, list):
        raise SourceError(f"{where}: field Lines is missing or not a list")
    lines = []
    for index, data in enumerate(lines_data, start=1):
        line = invoice_line(data, f"{where}: line {index}", number, invoice_date)
        if line is not None:
            lines.append(line)
    return Invoice(number=number, date=invoice_date, lines=tuple(lines))


def invoice_line(data: Any, where: str, number: str, invoice_date: date) -> InvoiceLine | None:
    record = _Record(data, where)
    tenant = record.data.get("TenantId")
    sub_id = record.data.get("SubscriptionId")
    if values.is_blank(tenant) and values.is_blank(sub_id):
        return None  # a non-licence line (freight, hardware) on the same account invoice
    return InvoiceLine(
        invoice_number=number,
        invoice_date=invoice_date,
        tenant_id=record.text("TenantId"),
        subscription_id=record.text("SubscriptionId"),
        stock_code=record.required("Stockcode", stock_code),
        description=record.text("StockDescription", default=""),
        quantity=record.required("Quantity", values.line_quantity),
        unit_price=record.required("UnitPrice", values.amount),
        cycle_unit_price=record.required("CycleUnitPrice", values.amount),
        line_amount=record.required("LineAmount", values.amount),
        usage_start=record.optional("UsageStart", values.dd_date),
        usage_end=record.optional("UsageEnd", values.dd_date),
        term_start=record.optional("TermStart", values.dd_date),
        term_end=record.optional("TermEnd", values.dd_date),
    )
