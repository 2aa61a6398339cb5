"""The short-lived access key Dicker Data grants in exchange for the long-lived access token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from reconciler.errors import SourceError

GRANTED = "GRANTED"
DENIED = "DENIED"

# Ask for a new key this long before the old one expires, so a key never lapses between
# the check and the call (clocks drift, calls take time).
REFRESH_MARGIN = timedelta(seconds=60)
_FRACTION = re.compile(r"\.\d+")


@dataclass(frozen=True)
class AccessKey:
    value: str = field(repr=False)  # a secret: never in a repr, log line or message
    expires: datetime  # timezone-aware

    def is_fresh(self, now: datetime) -> bool:
        return now + REFRESH_MARGIN < self.expires

    @classmethod
    def from_answer(cls, answer: Any, where: str) -> AccessKey:
        """Read an AccessKeyRequest answer; a refusal or an unreadable answer raises."""
        if not isinstance(answer, Mapping):
            raise SourceError(f"{where}: expected a JSON object")
        status = str(answer.get("Status") or "").strip().upper()
        if status != GRANTED:
            raise SourceError(
                f"{where}: Dicker Data did not grant an access key (Status {status or 'missing'}"
                f"{_message(answer)}); check source.account_code and source.access_token",
                vendor_message=str(answer.get("Message") or ""),
            )
        value = answer.get("AccessKey")
        if not isinstance(value, str) or not value.strip():
            raise SourceError(f"{where}: the answer has Status GRANTED but no AccessKey")
        return cls(value=value.strip(), expires=expiry(answer.get("ExpireDateTime"), where))


def expiry(value: Any, where: str) -> datetime:
    """ExpireDateTime as an aware datetime. A time without an offset is taken as UTC.

    If that guess is wrong the key is refused early or late; a refused key is renewed
    once on the 401/403 it causes, so the guess never fails a run.
    """
    text = str(value or "").strip()
    # .NET writes 7 fraction digits and "Z"; older Pythons read only 6 digits and offsets.
    normalised = _FRACTION.sub(lambda m: m.group(0)[:7], text.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(normalised)
    except ValueError:
        raise SourceError(f"{where}: ExpireDateTime {text!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def is_denied(answer: Any) -> bool:
    """A call answered 200 with `Status: DENIED`: the key was refused."""
    return isinstance(answer, Mapping) and str(answer.get("Status") or "").upper() == DENIED


def _message(answer: Mapping[str, Any]) -> str:
    message = str(answer.get("Message") or "").strip()
    return f": {message}" if message else ""
