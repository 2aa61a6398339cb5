"""Xero's dates: `/Date(1718409600000+0000)/`, milliseconds since 1970 in UTC and an offset.

Date-only fields (an invoice's Date, a schedule's NextScheduledDate) are served as the
date's midnight UTC, so the calendar date is the UTC date of the instant moved by the
offset. Dates are written the same way, at midnight UTC with `+0000`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(T[\d:.]+)?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def xero_date(value: object) -> date:
    """The calendar date of a Xero date (ValueError for anything else). Xero also accepts,
    and some answers carry, plain `YYYY-MM-DD[Thh:mm:ss]`: read as written."""
    text = str(value) if isinstance(value, str) else ""
    found = _MS_DATE.match(text)
    if found:
        offset = found.group(2) or "+0000"
        sign = -1 if offset[0] == "-" else 1
        shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
        try:
            return (_EPOCH + timedelta(milliseconds=int(found.group(1))) + shift).date()
        except OverflowError:  # before year 1 or after 9999: no calendar date of ours
            raise ValueError("a Xero date outside the years 1 to 9999") from None
    iso = _ISO.match(text)
    if iso:
        return date.fromisoformat(iso.group(1))
    raise ValueError("expected a Xero date like /Date(1718409600000+0000)/")


def ms_date(day: date | str) -> str:
    """`day` as Xero writes a date: `/Date(ms+0000)/` of its midnight UTC."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return f"/Date({int((midnight - _EPOCH).total_seconds()) * 1000}+0000)/"
