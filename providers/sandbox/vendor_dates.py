"""The date formats each emulated vendor writes, and a tolerant reader for all of them."""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime, timedelta

_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DD_LINE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})$")
_XERO = re.compile(r"^/Date\((-?\d+)(?:[+-]0000)?\)/$")  # the sandbox serves UTC midnights only


def cw_datetime(day: date) -> str:
    """ConnectWise date-time: `2024-05-01T00:00:00Z`."""
    return f"{day.isoformat()}T00:00:00Z"


def at_datetime(day: date) -> str:
    """Autotask date-time: `2024-06-01T00:00:00` (no zone; Autotask keeps date-only fields)."""
    return f"{day.isoformat()}T00:00:00"


def dd_line_date(day: date) -> str:
    """Dicker Data invoice-line date: `19-JAN-2024`."""
    return f"{day.day:02d}-{calendar.month_abbr[day.month].upper()}-{day.year}"


def xero_date(day: date) -> str:
    """Xero date: `/Date(1718409600000+0000)/`, milliseconds of the date's midnight UTC."""
    return f"/Date({calendar.timegm(day.timetuple()) * 1000}+0000)/"


def parse_date(text: str) -> date:
    """The calendar date of any of the formats above (time of day dropped). ValueError if none."""
    value = text.strip()
    found = _XERO.match(value)
    if found:
        return (datetime(1970, 1, 1) + timedelta(milliseconds=int(found.group(1)))).date()
    found = _DD_LINE.match(value)
    if found and found.group(2).upper() in _MONTHS:
        return date(int(found.group(3)), _MONTHS[found.group(2).upper()], int(found.group(1)))
    return parse_datetime(value).date()


@functools.lru_cache(maxsize=1 << 16)
def parse_datetime(text: str) -> datetime:
    """ISO date or date-time, with or without `Z` or fractional seconds, as a naive datetime.
    Remembered: a query compares the same dates of every record it scans, again and again."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1]
    value = re.sub(r"[+-]\d{2}:\d{2}$", "", value) if "T" in value else value
    if "." in value:
        head, frac = value.split(".", 1)
        value = f"{head}.{(frac + '000000')[:6]}"
    return datetime.fromisoformat(value)


def day_before(day: date) -> date:
    return day - timedelta(days=1)
