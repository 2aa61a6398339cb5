"""The "Annuity Information" export file: one row per subscription (sheet `DETAILS`).

`UNIT PRICE` and `UNIT RRP` are quoted per full term (a P1Y row shows the year's price), so
they are divided by the term's months to give the model's cost per seat per month.
`REFERENCE` is a truncated catalogue name that may read "DO NOT USE - ..." for a retired
product; the description is taken from `STOCK DESCRIPTION` instead.
"""

from __future__ import annotations

from providers.dickerdata import values
from providers.dickerdata.sheet import Row, Sheet
from reconciler.errors import SourceError
from reconciler.model import StockCode, Subscription

SHEET_NAME = "DETAILS"
COLUMNS = (
    "TENANT NAME",
    "TENANT ID",
    "SUBSCRIPTION ID",
    "STOCK CODE",
    "REFERENCE",
    "STOCK DESCRIPTION",
    "QTY",
    "CHARGE TYPE",
    "STATUS",
    "UNIT PRICE",
    "UNIT RRP",
    "REVALUATION PERIOD",
    "START USAGE",
    "END USAGE",
)


def stock_code(value: object) -> StockCode:
    return StockCode.parse(str(value))


def subscription(sheet: Sheet, row: Row) -> Subscription:
    """One row as a Subscription; any bad cell raises naming file, sheet, row and column."""
    code = sheet.value(row, "STOCK CODE", stock_code)
    months = code.term_months or 1  # usage codes have no term: their prices are monthly
    rrp = sheet.optional(row, "UNIT RRP", values.amount)
    # START/END USAGE are the original dates, not the current term; checked, not kept.
    sheet.optional(row, "START USAGE", values.dd_date)
    sheet.optional(row, "END USAGE", values.dd_date)
    return Subscription(
        subscription_id=sheet.text(row, "SUBSCRIPTION ID"),
        tenant_id=sheet.text(row, "TENANT ID"),
        company_name=sheet.text(row, "TENANT NAME", required=False),
        stock_code=code.raw,
        description=sheet.text(row, "STOCK DESCRIPTION", required=False),
        quantity=sheet.value(row, "QTY", values.seats),
        status=sheet.text(row, "STATUS").upper(),
        billing_frequency=code.billing_name,
        unit_cost=values.per_month(sheet.value(row, "UNIT PRICE", values.amount), months),
        unit_rrp=None if rrp is None else values.per_month(rrp, months),
        term_end=sheet.optional(row, "REVALUATION PERIOD", values.dd_date),
    )


def subscriptions(sheet: Sheet) -> list[Subscription]:
    """Every row of the sheet. Two rows for one subscription and stock code are refused."""
    sheet.require(COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    result = []
    for row in sheet.rows:
        sub = subscription(sheet, row)
        key = (sub.subscription_id, sub.stock_code)
        if key in seen:
            raise SourceError(
                f"{sheet.where(row, 'SUBSCRIPTION ID')}: subscription {sub.subscription_id} "
                f"({sub.stock_code}) is listed again (first on row {seen[key]})"
            )
        seen[key] = row.number
        result.append(sub)
    return result
