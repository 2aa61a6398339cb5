"""One dated change per line and date (billing.md 3.2): where a change that cannot take its
own date goes, and what that costs.

A PSA whose capabilities say `one_dated_change_per_line_and_date` takes one adjustment per
line and effective date, and adjustments can be neither edited nor deleted. Every date that already holds one (the
adjustment that created the service included) is occupied, as `PsaLine.dated_change_days`
says. When the comparison date t* is occupied, the change goes to the next free day after
it in the same period (never before t*: the day before may lie in a posted period), and the
count it is compared with is the one in force on the last occupied day. The days in between
stay billed at that earlier count: the plan shows the move as a warning with its money,
`(n - E) * p * days_moved / D`.

Worked example (advance billing without proration, June 2024, 24.60 a seat): the run of
06-20 creates the service with 40 seats from 07-01; Dicker Data says 42 on 06-21. 07-01 is
occupied, so the +2 goes to 07-02 and 07-01 is billed at 40: 2 x 24.60 x 1/31 = 1.59 less
on the July invoice than Dicker Data's count would bill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from reconciler.billing import reason
from reconciler.billing.periods import Period, period_containing
from reconciler.model.psa import PsaLine
from reconciler.money import day_weighted, money_text
from reconciler.plan.change import Change

if TYPE_CHECKING:
    from reconciler.billing.licence import Comparison


@dataclass(frozen=True)
class WriteDay:
    """Where a licence's dated change goes.

    `intended`: t*, the day the billing style asks for; `actual`: the day it is written on
    (t* when free); `compare_on`: the day whose count is E; `deferred`: no free day is left
    in t*'s period, so the change waits for the next run (which starts a period of its own).
    """

    intended: date
    actual: date
    compare_on: date
    deferred: bool = False

    @property
    def moved(self) -> bool:
        return self.actual != self.intended

    @property
    def days_moved(self) -> int:
        return (self.actual - self.intended).days


def write_day(lines: Iterable[PsaLine], intended: date, period: Period) -> WriteDay:
    """The day a change planned for `intended` (in `period`) can be written on."""
    occupied = frozenset().union(*(line.dated_change_days for line in lines))
    day = intended
    while day in occupied:
        day += timedelta(days=1)
    if day == intended:
        return WriteDay(intended, intended, intended)
    last_occupied = day - timedelta(days=1)
    if day > period[1]:
        return WriteDay(intended, day, last_occupied, deferred=True)
    return WriteDay(intended, day, last_occupied)


def moved_effect(seats_change: int, unit_price: Decimal, days_moved: int, period: Period) -> Decimal:
    """How the moved days change the period's invoice against Dicker Data's count, signed:
    an increase moved by a day bills that day at the earlier, lower count (negative)."""
    return -day_weighted(seats_change, unit_price, days_moved, period)


def effect(licence: Comparison, day: WriteDay) -> Decimal:
    """The moved days' money for this licence (see `moved_effect`)."""
    period = period_containing(licence.item.agreement, day.intended)
    return moved_effect(licence.desired - licence.current, licence.item.profile_price, day.days_moved, period)


def annotated(licence: Comparison, day: WriteDay, change: Change) -> Change:
    """The dated change with the day it was meant for and the money the move makes."""
    return replace(change, intended_date=day.intended.isoformat(), moved_effect=money_text(effect(licence, day)))


def warning(licence: Comparison, day: WriteDay, change: Change) -> str:
    i = licence.item
    period = period_containing(i.agreement, day.intended)
    amount = Decimal(change.moved_effect or "0")
    if day.days_moved == 1:
        held = f"{day.intended.isoformat()} stays billed at {reason.seats(licence.current)}"
    else:
        held = (
            f"{day.intended.isoformat()} to {day.compare_on.isoformat()} keep "
            f"the counts dated on them ({reason.seats(licence.current)} on {day.compare_on.isoformat()})"
        )
    money = f"${abs(amount):,.2f} {'less' if amount < 0 else 'more'}" if amount else "no money"
    return (
        f"{licence.label()}: {day.intended.isoformat()} already holds a dated change and "
        f"{i.words.psa} takes one per line and date, so this one is dated "
        f"{day.actual.isoformat()}, {_days(day.days_moved)} later; {held}, not {licence.desired}: {money} on the invoice of "
        f"{period[0].isoformat()} to {period[1].isoformat()} than Dicker Data's count"
    )


def deferred(licence: Comparison, day: WriteDay) -> str:
    period = period_containing(licence.item.agreement, day.intended)
    return (
        f"{licence.label()}: every day from {day.intended.isoformat()} to the end of its period "
        f"({period[1].isoformat()}) already holds a dated change, and a change may not be dated "
        f"into the next period early; Dicker Data's {licence.desired} seats are written by the "
        f"next run, from {day.actual.isoformat()}"
    )


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
