"""How seat deltas and shares read in plans (amounts: reconciler.money)."""

from __future__ import annotations

from decimal import Decimal


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
