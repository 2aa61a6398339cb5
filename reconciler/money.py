"""Money, in one place: the billing rules' arithmetic (cents rounded half-up, run-rate and
prorated amounts), how amounts are written in plans and reports, and how they travel in
vendor JSON.

Every amount is a Decimal; rounding happens once, at the line level, as the PSAs do. No
amount passes through float arithmetic: vendor JSON is parsed with `parse_float=Decimal`,
and a Decimal is written back as the JSON number with the same text.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from reconciler.billing.periods import Period, days_in

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up (away from zero on .5) to cents: 14.665 -> 14.67, -14.665 -> -14.67.
    An absurd amount (a quantity of 10^30 typed into the PSA) is rounded too, never an
    error: the plan shows it, and its review flags it."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)


_WIDE = Context(prec=80)  # quantize refuses a result longer than the context's 28 digits


def money_text(amount: Decimal) -> str:
    """A plan's money field: two decimals, no exponent ("32.00", "-14.67")."""
    return f"{round_cents(amount):.2f}"


def runrate_change(seats: int, unit_price: Decimal) -> Decimal:
    """Change of the monthly run-rate when `seats` (signed) are added at `unit_price`."""
    return round_cents(Decimal(seats) * unit_price)


def prorated_amount(seats: int, unit_price: Decimal, day: date, period: Period) -> Decimal:
    """What `seats` (signed) cost from `day` to the period's end, inclusive, day-weighted.

    TV-1: 3 seats x 20.00 from 15 June in a 30-day June = 3 x 20 x 16/30 = 32.00.
    """
    if not period[0] <= day <= period[1]:
        raise ValueError(f"prorated_amount: day={day} outside period={period}")
    return day_weighted(seats, unit_price, (period[1] - day).days + 1, period)


def day_weighted(units: int, unit_price: Decimal, days: int, period: Period) -> Decimal:
    """`units` billed for `days` days of the period, rounded to cents."""
    return round_cents(Decimal(units) * unit_price * days / days_in(period))


# -- in plans and reports -------------------------------------------------------------


def signed_money(value: str | Decimal) -> str:
    """`+$1,204.50`, `-$14.67`."""
    amount = Decimal(str(value)).quantize(CENT, context=_WIDE)
    sign = "-" if amount < 0 else "+"
    return f"{sign}${abs(amount):,.2f}"


def money(value: str | Decimal | None) -> str:
    """`$1,204.50`; "-" when there is no amount."""
    if value is None:
        return "-"
    return f"${Decimal(str(value)).quantize(CENT, context=_WIDE):,.2f}"


def nonzero(value: str | Decimal | None) -> bool:
    """True for an amount other than zero (templates leave out "+$0.00 one-off")."""
    return value is not None and Decimal(str(value)) != 0


# -- in vendor JSON --------------------------------------------------------------------


def json_number(value: Any) -> int | float:
    """A decimal for a JSON body. Python's float repr is the shortest text that round-trips,
    so a cents amount like 119.15 is written as exactly `119.15`."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)
