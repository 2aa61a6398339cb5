"""Xero records as the emulated API keeps and sends them: lines with ids and amounts,
invoice totals, the error bodies, and what a request body may set.

Xero works out each line's amount and tax and the totals itself, and keeps only the fields
of its own model: a body's other members are ignored (`LINE_FIELDS`, `INVOICE_FIELDS`, held
to Xero's OpenAPI document by tests/contract/test_field_tables.py). Amounts are Decimal
arithmetic, rounded half-up to cents, sent as JSON numbers.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from providers.sandbox.exchange import Rejection, Reply

Record = dict[str, Any]
# what a writer sets on a line, an invoice and a repeating invoice (Xero computes the rest)
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
INVOICE_FIELDS = (
    "Type",
    "Contact",
    "Date",
    "DueDate",
    "LineAmountTypes",
    "InvoiceNumber",
    "Reference",
    "CurrencyCode",
    "Status",
)
TEMPLATE_FIELDS = (
    "Reference",
    "LineAmountTypes",
    "Status",
    "ApprovedForSending",
    "SendCopy",
    "MarkAsSent",
    "IncludePDF",
)
# GST/VAT rates of the tax types the generated worlds use (AU: OUTPUT 10 %, NZ: OUTPUT2 15 %)
TAX_RATES = {
    "OUTPUT": Decimal("0.10"),
    "OUTPUT2": Decimal("0.15"),
    "NONE": Decimal("0"),
    "EXEMPTOUTPUT": Decimal("0"),
    "ZERORATEDOUTPUT": Decimal("0"),
}
DESCRIPTION_LIMIT = 4000
CENT = Decimal("0.01")


def public(record: Any) -> Any:
    """As Xero sends it: without the sandbox's bookkeeping (members starting with `_`)."""
    if isinstance(record, list):
        return [public(x) for x in record]
    if isinstance(record, dict):
        return {k: public(v) for k, v in record.items() if not k.startswith("_")}
    return record


def problem(status: int, title: str, detail: str) -> Reply:
    """Xero's answer to a request it refuses before looking at it (401, 403, 404, 429)."""
    return Reply(
        status,
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
    )


def validation_error(messages: list[str], **ids: str) -> Reply:
    """A 400 with each message as Xero words a validation error."""
    element: Record = {**ids, "ValidationErrors": [{"Message": m} for m in messages]}
    return Reply(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [element],
        },
    )


def xero_error(status: int, message: str) -> Reply:
    if status == 400:
        return validation_error([message])
    titles = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 429: "Too Many Requests"}
    if status in titles:
        return problem(status, titles[status], message)
    return Reply(
        status,
        {
            "ErrorNumber": 500 if status >= 500 else status,
            "Type": "InternalServerError" if status >= 500 else "ApiException",
            "Message": message,
        },
    )


def money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Rejection(validation_error([f"{field} must be a number"])) from None
    if isinstance(value, bool) or not amount.is_finite():
        raise Rejection(validation_error([f"{field} must be a number"]))
    return amount


def priced_lines(lines: Any, old: list[Record], items: list[Record], *, kind: str) -> list[Record]:
    """A body's line list as Xero keeps it: known ids kept, new lines given ids, each line's
    item booking filled in from the item, amounts worked out. 400 for a line Xero refuses."""
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise Rejection(validation_error([f"LineItems of the {kind} must be a list of line items"]))
    known = {str(x.get("LineItemID")).lower(): x for x in old}
    by_code = {i.get("Code"): i for i in items}
    result = []
    for line in lines:
        kept = {k: line[k] for k in LINE_FIELDS if line.get(k) is not None}
        previous = known.get(str(kept.get("LineItemID")).lower())
        kept["LineItemID"] = previous["LineItemID"] if previous else str(uuid.uuid4())
        result.append(_priced(kept, by_code, previous))
    return result


def _priced(line: Record, by_code: dict[Any, Record], previous: Record | None) -> Record:
    code = line.get("ItemCode")
    if code is not None:
        item = by_code.get(code)
        if item is None:
            raise Rejection(validation_error([f"Item code '{code}' is not valid"]))
        sales = item.get("SalesDetails") or {}
        line.setdefault("AccountCode", sales.get("AccountCode"))
        line.setdefault("TaxType", sales.get("TaxType"))
        line["Item"] = {"ItemID": item["ItemID"], "Code": code, "Name": item.get("Name", "")}
    if not str(line.get("Description") or "").strip() and code is None:
        raise Rejection(validation_error(["Description needs to be at least 1 char long"]))
    if len(str(line.get("Description") or "")) > DESCRIPTION_LIMIT:
        raise Rejection(validation_error([f"Description cannot be longer than {DESCRIPTION_LIMIT} characters"]))
    quantity = money(line.get("Quantity", 1), "Quantity")
    unit = money(line.get("UnitAmount", 0), "UnitAmount")
    if line.get("AccountCode") is None and unit != 0:
        raise Rejection(validation_error(["Account code '' is not a valid code for this document."]))
    amount = (quantity * unit).quantize(CENT, rounding=ROUND_HALF_UP)
    rate = TAX_RATES.get(str(line.get("TaxType") or "NONE"), Decimal("0"))
    line.update(
        Quantity=float(quantity),
        UnitAmount=float(unit),
        LineAmount=float(amount),
        TaxAmount=float((amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)),
    )
    line["Tracking"] = line.get("Tracking") or []
    if previous is not None and "_addedOn" in previous:
        line["_addedOn"] = previous["_addedOn"]
    return line


def totals(record: Record) -> None:
    """SubTotal, TotalTax and Total from the lines (tax exclusive)."""
    sub = sum((Decimal(str(x["LineAmount"])) for x in record["LineItems"]), Decimal("0"))
    tax = sum((Decimal(str(x["TaxAmount"])) for x in record["LineItems"]), Decimal("0"))
    record.update(SubTotal=float(sub), TotalTax=float(tax), Total=float(sub + tax))


def one_record(body: Any, key: str) -> Record:
    """The single record of a `{key: [record]}` body (what ncesync's writes send)."""
    records = body.get(key) if isinstance(body, dict) else None
    if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], dict):
        raise Rejection(validation_error([f"The body must hold one record in {key}"]))
    return records[0]
