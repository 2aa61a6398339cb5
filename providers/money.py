"""Money in vendor JSON: read exactly as Decimal, written back as JSON numbers.

Vendors send amounts as JSON numbers; clients parse them with `parse_float=Decimal`, and
anything else (int, text) goes through its text too, so no amount passes through float
arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def money(value: Any) -> Decimal:
    """A JSON number (float, int, Decimal or text) as a Decimal, via its text; none is 0."""
    if value is None or value == "":
        return Decimal("0")
    return Decimal(str(value))


def json_number(value: Any) -> int | float:
    """A decimal for a JSON body. Python's float repr is the shortest text that round-trips,
    so a cents amount like 119.15 is written as exactly `119.15`."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)
