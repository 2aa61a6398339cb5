"""billing.md's rules, written a second time for the simulation and kept apart from
`reconciler/`: the expected invoices must not come from the code under test.

Only what the simulation needs: monthly periods on a billing day (3.2's table of comparison
dates), the desired count (3 rule 1), cents rounded half-up, and day-weighted amounts.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ONE_DAY = timedelta(days=1)


def month_start(year: int, month: int, billing_day: int) -> date:
    """The period start in that month: the billing day, or the month's last day when shorter."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(billing_day, calendar.monthrange(year, month)[1]))


def period_of(day: date, billing_day: int) -> tuple[date, date]:
    """The monthly billing period [start, end] holding `day`."""
    start = month_start(day.year, day.month, billing_day)
    if start > day:
        start = month_start(day.year, day.month - 1, billing_day)
    end = month_start(start.year, start.month + 1, billing_day) - ONE_DAY
    return start, end


def comparison_date(dated_adjustments: bool, style: str, prorate: bool, day: date, billing_day: int) -> date:
    """t* of billing.md 3.2 (the simulation posts no period, so arrears without proration
    always takes the current period)."""
    if not dated_adjustments or prorate:
        return day
    start, end = period_of(day, billing_day)
    return end + ONE_DAY if style == "advance" else start


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted(units: int, price: Decimal, days: int, period: tuple[date, date]) -> Decimal:
    """`units` at `price` for `days` days of `period`, rounded to cents (billing.md 3.1)."""
    length = (period[1] - period[0]).days + 1
    return cents(Decimal(units) * price * days / length)


def desired(subscriptions: list[dict], prefixes: tuple[str, ...]) -> int:
    """Seats Dicker Data bills for a product: active, non-trial subscriptions whose stock
    code starts with one of the mapped `TERM:PRODUCT:SKU` prefixes."""
    return sum(
        int(s["ConfirmedQuantity"])
        for s in subscriptions
        if s["Status"] == "ACTIVE" and not s.get("IsTrial") and any(s["StockCode"].startswith(p) for p in prefixes)
    )


def runs(values: dict[date, int], period: tuple[date, date]) -> list[tuple[int, int]]:
    """The period's days as (count, days) runs of equal counts, in order."""
    result: list[tuple[int, int]] = []
    day = period[0]
    while day <= period[1]:
        count = values[day]
        if result and result[-1][0] == count:
            result[-1] = (count, result[-1][1] + 1)
        else:
            result.append((count, 1))
        day += ONE_DAY
    return result


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
