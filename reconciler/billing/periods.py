"""Billing periods of an agreement/contract and the comparison date t* (billing.md 3.2).

Month arithmetic lives here and only here (`add_months`), for the engine and the sandbox.
A period starts on the agreement's billing day (clamped to the month's last day, so a
31st-of-month agreement starts on 30 April and 29 February) and lasts `period_months`
months. Multi-month periods are aligned on the agreement's start month, so a quarterly
contract that started in February bills February-April, May-July, ...
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from reconciler.model.psa import Agreement
from reconciler.model.specs import ADVANCE
from reconciler.provider import SeatModel

Period = tuple[date, date]


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """`day` moved by whole months (negative: back), on `anchor_day` (default `day.day`)
    clamped to that month's length: 31 January + 1 month is 29 February 2024."""
    return _start_in_month(_month_index(day) + months, anchor_day or day.day)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _start_in_month(index: int, billing_day: int) -> date:
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(max(billing_day, 1), last))


def _shape(agreement: Agreement | None) -> tuple[int, int, int | None]:
    """(billing day, months per period, anchor month index or None)."""
    if agreement is None:
        return 1, 1, None
    months = max(agreement.period_months, 1)
    first = agreement.cycle_start or agreement.start_date
    anchor = _month_index(first) if first else None
    return agreement.billing_day, months, anchor


def period_containing(agreement: Agreement | None, day: date) -> Period:
    """The billing period [start, end] (both inclusive) that contains `day`.

    Without an agreement the period is the calendar month.
    """
    return _period(*_shape(agreement), day)


@lru_cache(maxsize=65536)
def _period(billing_day: int, months: int, anchor: int | None, day: date) -> Period:
    # A plan asks for the same few periods tens of thousands of times (every licence of
    # every agreement billing on the same day); each is worked out once.
    index = _month_index(day)
    if _start_in_month(index, billing_day) > day:
        index -= 1
    if months > 1:
        index -= (index - (anchor or 0)) % months
    start = _start_in_month(index, billing_day)
    end = _start_in_month(index + months, billing_day) - timedelta(days=1)
    return start, end


def next_period_start(agreement: Agreement | None, day: date) -> date:
    """The first day of the period after the one containing `day`."""
    return period_containing(agreement, day)[1] + timedelta(days=1)


def days_in(period: Period) -> int:
    return (period[1] - period[0]).days + 1


def comparison_date(
    agreement: Agreement | None,
    *,
    seat_model: SeatModel,
    style: str,
    prorate: bool,
    sync_date: date,
) -> date:
    """t*: the date from which the billing style makes a new count effective.

    The sync date, except for dated adjustments without proration, which never create a
    partial period: advance billing moves to the next period; arrears billing moves the
    current period when it has not been posted yet, else the next one.
    """
    if seat_model != SeatModel.DATED_ADJUSTMENTS or prorate:
        return sync_date
    current_start, current_end = period_containing(agreement, sync_date)
    following = current_end + timedelta(days=1)
    if style == ADVANCE:
        return following
    return following if current_period_posted(agreement, sync_date) else current_start


def current_period_posted(agreement: Agreement | None, sync_date: date) -> bool:
    """The period containing the sync date has been approved and posted (a PSA that posts
    periods says so in `Agreement.posted_through`)."""
    posted = agreement.posted_through if agreement else None
    return posted is not None and posted >= period_containing(agreement, sync_date)[0]
