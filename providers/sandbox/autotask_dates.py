"""How the emulated Autotask database keeps, receives and serves date-only fields.

Autotask's developer docs say the REST API "stores and returns all time data in UTC" and
that for a date-only field the date is kept and the time set to midnight; the same page's
example converts a value sent at 02:00 UTC to the database's (US) zone first, so it is
saved as the day before. Live tenants have been reported to return such dates either at
midnight or as the UTC instant of the database's local midnight, with or without `Z`.
The sandbox can play each of these, so the provider is tested against all of them
(billing.md section 8):

* `timezone`: the database's zone (a live database has one; the demo uses the MSP's);
* `received`: `utc_instant` (what is sent is a UTC instant, converted to the database's
  zone before the time is dropped: the strict reading, the default) or `literal` (the
  date as written is kept);
* `served`: `midnight` (`2024-07-01T00:00:00`), `utc` (`2024-06-30T14:00:00` for Sydney in
  winter) or `utc_z` (`2024-06-30T14:00:00Z`).

The world file keeps every date-only field as the database's local date at midnight, so a
world reads the same whatever the representation served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from providers.sandbox.vendor_dates import at_datetime, parse_date

SERVED = ("midnight", "utc", "utc_z")
RECEIVED = ("utc_instant", "literal")
DATE_FIELDS = {  # world collection -> its date-only fields
    "contracts": ("startDate", "endDate"),
    "contractServiceUnits": ("startDate", "endDate"),
    "contractCharges": ("datePurchased",),
    "contractServiceAdjustments": ("effectiveDate",),
}


@dataclass(frozen=True)
class DatabaseDates:
    zone: ZoneInfo
    served: str = "midnight"
    received: str = "utc_instant"

    @classmethod
    def of_world(cls, world: dict[str, Any]) -> DatabaseDates:
        """The settings in the world's `meta.autotask_database` (UTC and midnight when absent)."""
        settings = (world.get("meta") or {}).get("autotask_database") or {}
        return cls(
            ZoneInfo(str(settings.get("timezone") or "UTC")),
            served=str(settings.get("served") or SERVED[0]),
            received=str(settings.get("received") or RECEIVED[0]),
        )

    def received_date(self, value: Any) -> date:
        """The date the database keeps for `value` sent by a client; ValueError if unreadable."""
        if not isinstance(value, str) or not value.strip():
            raise ValueError("a date is required")
        if self.received == "literal":
            return parse_date(value)
        return self._instant(value).astimezone(self.zone).date()

    def received_stamp(self, value: Any) -> Any:
        """A filter value as the database compares it: its local date-time (text)."""
        if not isinstance(value, str) or len(value.strip()) < 10 or self.received == "literal":
            return value
        try:
            local = self._instant(value).astimezone(self.zone)
        except ValueError:
            return value
        return local.replace(tzinfo=None).isoformat(timespec="seconds")

    def served_record(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        """`record` (a copy when changed) with its date-only fields as this database serves them."""
        fields = DATE_FIELDS.get(collection, ())
        if self.served == "midnight" or not any(record.get(f) for f in fields):
            return record
        served = dict(record)
        for name in fields:
            if served.get(name):
                served[name] = self.served_date(parse_date(str(served[name])))
        return served

    def served_date(self, day: date) -> str:
        if self.served == "midnight":
            return at_datetime(day)
        instant = datetime.combine(day, time(0), tzinfo=self.zone).astimezone(timezone.utc)
        text = instant.replace(tzinfo=None).isoformat(timespec="seconds")
        return f"{text}Z" if self.served == "utc_z" else text

    @staticmethod
    def _instant(value: str) -> datetime:
        """`value` as an instant: UTC unless it names its own offset."""
        text = value.strip()
        if "T" not in text:
            text += "T00:00:00"
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        stamp = datetime.fromisoformat(text)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def canonical(day: date) -> str:
    """How the world file keeps a date-only field: the database's local date at midnight."""
    return at_datetime(day)
