"""How amounts and seat deltas read in plans."""

from __future__ import annotations

from decimal import Decimal


def signed_money(value: str | Decimal) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else "+"
    return f"{sign}${abs(amount):,.2f}"


def money(value: str | Decimal | None) -> str:
    if value is None:
        return "-"
    return f"${Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def seats(value: int) -> str:
    return f"{value} seat" if value in (1, -1) else f"{value} seats"
