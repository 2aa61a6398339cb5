"""Autotask's date-only fields (contract start/end, unit rows, adjustment and purchase
dates) read and written so that they mean the same calendar date under every reading of
Autotask's own documentation (billing.md section 8).

Autotask "stores and returns all time data in UTC", usually without a `Z`. For a date-only
field it keeps the date and sets the time to midnight, yet its own example has a value sent
at 02:00 UTC to a US database saved as the day before, and integrators report adjustments
landing a day early. So:

* reading: a value at exactly midnight is that date; any other time (with or without `Z`
  or an offset) is a UTC instant, turned into the deployment's zone before its date is
  taken. `2020-02-23T13:00:00` is 24 February in Sydney; cutting the text at 10 characters
  would make every Australian and New Zealand date one day early.
* writing a date D: a UTC time at which the literal date and the date in the database's
  zone are both D: `D T00:00:00` for zones at or east of UTC, `D T(01 + hours west)` for
  zones west of it. Local midnight sent as a UTC instant would be the day before in every
  zone east of UTC, so it is never sent.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

_OFFSET = re.compile(r"(Z|z|[+-]\d{2}:?\d{2})$")


def read_date(value: Any, zone: ZoneInfo) -> date | None:
    """The calendar date an Autotask date-only field means, in the deployment's `zone`.

    None for a missing value; ValueError for text that is no ISO date or date-time."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if "T" not in text and " " not in text:
        return date.fromisoformat(text)
    found = _OFFSET.search(text)
    stamp = datetime.fromisoformat(_without_fraction(text[: found.start()] if found else text))
    if stamp.time() == time(0) and not _shifted(found):
        return stamp.date()
    offset = _offset_of(found)
    instant = stamp.replace(tzinfo=offset) if offset is not None else stamp.replace(tzinfo=timezone.utc)
    return instant.astimezone(zone).date()


def write_date(day: date | str, database_zone: ZoneInfo) -> str:
    """The value to send for date `day`: read as the literal date or converted from UTC to
    the database's zone, it is `day` either way."""
    if isinstance(day, str):  # a plan's calendar date (YYYY-MM-DD), never a zoned time
        day = date.fromisoformat(day)
    hours_west = max(_hours_behind_utc(day, database_zone), 0)
    hour = 0 if hours_west == 0 else 1 + hours_west
    return f"{day.isoformat()}T{hour:02d}:00:00"


def _hours_behind_utc(day: date, zone: ZoneInfo) -> int:
    """Whole hours (rounded up) the zone's clock is behind UTC on `day`; 0 or negative east."""
    offsets = [
        datetime.combine(day, time(hour), tzinfo=zone).utcoffset() or timedelta(0)
        for hour in (0, 12, 23)  # a clock change on `day` must not leave an hour uncovered
    ]
    return math.ceil(max(-o.total_seconds() for o in offsets) / 3600)


def _without_fraction(text: str) -> str:
    head, _, fraction = text.partition(".")
    return f"{head}.{(fraction + '000000')[:6]}" if fraction else head


def _shifted(found: re.Match[str] | None) -> bool:
    """An explicit non-zero offset: midnight at +10:00 is not a bare date."""
    offset = _offset_of(found)
    return offset is not None and offset.utcoffset(None) != timedelta(0)


def _offset_of(found: re.Match[str] | None) -> timezone | None:
    if found is None:
        return None
    text = found.group(1)
    if text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
