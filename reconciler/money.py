"""Money arithmetic of the billing rules: cents rounded half-up, run-rate and prorated amounts.

Every amount is a Decimal; rounding happens once, at the line level, as the PSAs do.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reconciler.billing.periods import Period, days_in

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up (away from zero on .5) to cents: 14.665 -> 14.67, -14.665 -> -14.67."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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
