"""The "CSP Invoice Report" export file: one row per invoice line (sheet `Invoice Details`).

The column names of the invoice number and date, the cycle unit price and the line amount
are our reading of the report (the public evidence names only the subscription, stock
code, term, usage, quantity and unit price columns).
"""

from __future__ import annotations

from providers.dickerdata import values
from providers.dickerdata.sheet import Row, Sheet
from reconciler.model import InvoiceLine, StockCode

SHEET_NAME = "INVOICE DETAILS"
COLUMNS = (
    "INVOICE NUMBER",
    "INVOICE DATE",
    "TENANT ID",
    "SUBSCRIPTION ID",
    "STOCK CODE",
    "STOCK DESCRIPTION",
    "TERM START",
    "TERM END",
    "USAGE START",
    "USAGE END",
    "QTY",
    "UNIT PRICE",
    "CYCLE UNIT PRICE",
    "LINE AMOUNT",
)


def _stock_code(value: object) -> str:
    return StockCode.parse(str(value)).raw


def invoice_line(sheet: Sheet, row: Row) -> InvoiceLine:
    """One row; the amounts are kept as DD wrote them (per line, not per month)."""
    return InvoiceLine(
        invoice_number=sheet.text(row, "INVOICE NUMBER"),
        invoice_date=sheet.value(row, "INVOICE DATE", values.dd_date),
        tenant_id=sheet.text(row, "TENANT ID"),
        subscription_id=sheet.text(row, "SUBSCRIPTION ID"),
        stock_code=sheet.value(row, "STOCK CODE", _stock_code),
        description=sheet.text(row, "STOCK DESCRIPTION", required=False),
        quantity=sheet.value(row, "QTY", values.line_quantity),
        unit_price=sheet.value(row, "UNIT PRICE", values.amount),
        cycle_unit_price=sheet.value(row, "CYCLE UNIT PRICE", values.amount),
        line_amount=sheet.value(row, "LINE AMOUNT", values.amount),
        usage_start=sheet.optional(row, "USAGE START", values.dd_date),
        usage_end=sheet.optional(row, "USAGE END", values.dd_date),
        term_start=sheet.optional(row, "TERM START", values.dd_date),
        term_end=sheet.optional(row, "TERM END", values.dd_date),
    )


def invoice_lines(sheet: Sheet) -> list[InvoiceLine]:
    sheet.require(COLUMNS)
    return [invoice_line(sheet, row) for row in sheet.rows]
