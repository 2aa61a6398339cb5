"""Autotask date-only fields mean the same calendar date under every reading of Autotask's
docs (billing.md section 8), in zones east and west of UTC and across both DST changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from providers.autotask.dates import read_date, write_date
from providers.sandbox.autotask_dates import SERVED, DatabaseDates

SYDNEY = ZoneInfo("Australia/Sydney")
ZONES = [
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
    "America/New_York",
    "Pacific/Honolulu",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
# Every day of two years: both DST changes of Sydney (April, October) and Auckland
# (April, September) in each.
DAYS = [date(2024, 1, 1) + timedelta(days=i) for i in range(731)]


def test_a_utc_afternoon_is_the_next_day_in_sydney():
    assert read_date("2020-02-23T13:00:00", SYDNEY) == date(2020, 2, 24)
    assert read_date("2020-02-23T13:00:00Z", SYDNEY) == date(2020, 2, 24)
    assert read_date("2020-02-23T12:59:59.997", SYDNEY) == date(2020, 2, 23)  # 23:59 in Sydney (DST)


def test_midnight_is_the_date_as_written_in_every_zone():
    for name in ZONES:
        assert read_date("2024-07-01T00:00:00", ZoneInfo(name)) == date(2024, 7, 1)
        assert read_date("2024-07-01T00:00:00Z", ZoneInfo(name)) == date(2024, 7, 1)
        assert read_date("2024-07-01", ZoneInfo(name)) == date(2024, 7, 1)


def test_an_explicit_offset_is_an_instant():
    assert read_date("2024-07-01T00:00:00+10:00", ZoneInfo("UTC")) == date(2024, 6, 30)
    assert read_date("2024-06-30T20:00:00-04:00", SYDNEY) == date(2024, 7, 1)


def test_missing_and_unreadable_values():
    assert read_date(None, SYDNEY) is None
    assert read_date("", SYDNEY) is None
    with pytest.raises(ValueError):
        read_date("next tuesday", SYDNEY)


@pytest.mark.parametrize("name", ZONES)
def test_a_written_date_is_that_date_under_both_readings(name: str):
    zone = ZoneInfo(name)
    for day in DAYS:
        sent = write_date(day, zone)
        literal = date.fromisoformat(sent[:10])
        converted = datetime.fromisoformat(sent).replace(tzinfo=timezone.utc).astimezone(zone).date()
        assert (literal, converted) == (day, day), (name, day, sent)


def test_east_of_utc_dates_are_sent_at_midnight_and_west_of_it_later():
    assert write_date(date(2024, 7, 1), SYDNEY) == "2024-07-01T00:00:00"
    assert write_date(date(2024, 7, 1), ZoneInfo("UTC")) == "2024-07-01T00:00:00"
    assert write_date(date(2024, 7, 1), ZoneInfo("America/New_York")) == "2024-07-01T05:00:00"  # EDT: 4 h + 1
    assert write_date(date(2024, 1, 2), ZoneInfo("America/New_York")) == "2024-01-02T06:00:00"  # EST: 5 h + 1


@pytest.mark.parametrize("served", SERVED)
@pytest.mark.parametrize("name", ["Australia/Sydney", "Pacific/Auckland", "UTC", "America/New_York"])
def test_what_the_sandbox_serves_reads_back_as_the_same_date(name: str, served: str):
    zone = ZoneInfo(name)
    database = DatabaseDates(zone, served=served)
    for day in DAYS:
        assert read_date(database.served_date(day), zone) == day, (name, served, day)


@pytest.mark.parametrize("received", ["utc_instant", "literal"])
@pytest.mark.parametrize("name", ["Australia/Sydney", "Pacific/Auckland", "UTC", "America/New_York"])
def test_what_the_provider_sends_the_sandbox_keeps_as_the_same_date(name: str, received: str):
    zone = ZoneInfo(name)
    database = DatabaseDates(zone, received=received)
    for day in DAYS:
        assert database.received_date(write_date(day, zone)) == day


def test_the_strict_database_moves_a_plain_date_a_day_early_west_of_utc():
    """What integrators report, and why a bare date is never sent."""
    database = DatabaseDates(ZoneInfo("America/New_York"))
    assert database.received_date("2024-07-01") == date(2024, 6, 30)
    assert database.received_date("2023-10-09T02:00:00") == date(2023, 10, 8)  # Autotask's own example
