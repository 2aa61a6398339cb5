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


def percent(value: str | Decimal | None) -> str:
    """A share with one decimal: "12.5 %", "-3 %"; "-" when there is none."""
    if value is None:
        return "-"
    text = f"{Decimal(str(value)).quantize(Decimal('0.1')):,}"
    return f"{text[:-2] if text.endswith('.0') else text} %"


def nonzero(value: str | Decimal | None) -> bool:
    """True for an amount other than zero (templates leave out "+$0.00 one-off")."""
    return value is not None and Decimal(str(value)) != 0
