"""Dicker Data field values: dates, quantities, amounts, as the API and the export files write them.

Every parser is strict: it returns the typed value or raises ValueError saying what it saw
and what it expected. The caller adds the location (file, row, column or API record), so a
bad value is never silently read as zero or as "no date".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_DD_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$")
COST_PLACES = Decimal("0.0001")
# No Microsoft subscription sold through a distributor comes near this many seats; a count
# above it is a corrupted export or API answer (10^24 was once read and priced), not a
# customer, so it is refused where it is read rather than planned and applied.
MAX_SEATS = 100_000


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def dd_date(value: Any) -> date:
    """`D-MON-YYYY` / `DD-MON-YYYY` (month case-insensitive), or a spreadsheet date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DD_DATE.match(text)
    if not match or match.group(2).upper() not in MONTHS:
        raise ValueError(f"{text!r} is not a date like 19-JAN-2024")
    day, month, year = int(match.group(1)), MONTHS[match.group(2).upper()], int(match.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def iso_date(value: Any) -> date:
    """`YYYY-MM-DD`, optionally followed by a time (the API's dates); the time is dropped."""
    # tens of thousands of subscriptions carry a few hundred distinct dates: each is read once
    return _iso_date_text(value) if isinstance(value, str) else _iso_date(value)


@lru_cache(maxsize=4096)
def _iso_date_text(value: str) -> date:
    return _iso_date(value)


def _iso_date(value: Any) -> date:
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an ISO date like 2024-06-30")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def any_date(value: Any) -> date:
    """Either form: the API is not documented, and its invoice dates are seen in both."""
    try:
        return dd_date(value)
    except ValueError:
        pass
    try:
        return iso_date(value)
    except ValueError:
        text = str(value).strip()
        raise ValueError(f"{text!r} is not a date like 19-JAN-2024 or 2024-01-19") from None


def quantity(value: Any) -> int:
    """A whole number of seats (negative on refund lines)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        # Spreadsheet cells hold numbers as floats; 5.0 is five seats, 5.5 is an error.
        if value == int(value):
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(text.split(".")[0])
    raise ValueError(f"{text!r} is not a whole number")


def seats(value: Any) -> int:
    """A subscription's seat count: a whole number from 0 to MAX_SEATS."""
    count = quantity(value)
    if count < 0:
        raise ValueError(f"{count} is a negative seat count; a subscription has 0 or more seats")
    if count > MAX_SEATS:
        raise ValueError(f"{count} seats is more than {MAX_SEATS:,}, beyond any real subscription")
    return count


def line_quantity(value: Any) -> int:
    """An invoice line's quantity: negative on a refund line, never beyond MAX_SEATS either way."""
    count = quantity(value)
    if abs(count) > MAX_SEATS:
        raise ValueError(f"{count} seats is more than {MAX_SEATS:,}, beyond any real invoice line")
    return count


def amount(value: Any) -> Decimal:
    """A money amount as a Decimal; a float cell goes through its shortest text form."""
    if isinstance(value, str):  # a few distinct prices over every subscription: each read once
        return _amount_text(value)
    return _amount(value)


@lru_cache(maxsize=4096)
def _amount_text(value: str) -> Decimal:
    return _amount(value)


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text that reads back as this float: what the sheet shows.
        value = repr(value)
    text = str(value).strip().replace(",", "")
    if text.startswith("$"):
        text = text[1:]
    if not _DECIMAL.match(text):
        raise ValueError(f"{str(value).strip()!r} is not a decimal amount")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guards this
        raise ValueError(f"{text!r} is not a decimal amount") from None


def per_month(price: Decimal, months: int) -> Decimal:
    """A price for `months` months as a price per month, rounded half-up to 4 places."""
    return (price / Decimal(months)).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def flag(value: Any) -> bool:
    """A yes/no field (JSON boolean, or the words true/false)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise ValueError(f"{value!r} is not true or false")
