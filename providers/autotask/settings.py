"""The `psa` block's Autotask options besides the connection: how many requests at once,
what share of the database's hourly threshold one apply may use, the database's zone."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask.client import MAX_CONCURRENT
from providers.options import whole_number
from reconciler.errors import ConfigError

log = logging.getLogger(__name__)

# An apply taking more than this share of the hour waits for a person (psa.max_request_share):
# a nightly run at 5,000 clients takes about 6 %, a first sync of them all several hours' worth.
DEFAULT_REQUEST_SHARE = Decimal("25")


def parallelism(value: Any) -> int:
    """Requests in flight at once per endpoint, capped at what Autotask allows (asking for
    more is not an error: the run goes on at the limit)."""
    wanted = whole_number(value, "psa.parallelism")
    if wanted > MAX_CONCURRENT:
        log.warning(
            "autotask: parallelism=%d is above Autotask's limit of %d requests at once; using %d",
            wanted,
            MAX_CONCURRENT,
            MAX_CONCURRENT,
        )
    return min(wanted, MAX_CONCURRENT)


def request_share(value: Any) -> Decimal | None:
    """psa.max_request_share: a percent above 0 and at most 100, or none (no cap)."""
    if value is None:
        return None
    try:
        share = Decimal(str(value))
    except ArithmeticError:
        share = Decimal("-1")
    if isinstance(value, bool) or not share.is_finite() or not 0 < share <= 100:
        raise ConfigError(f"psa.max_request_share must be a percent above 0 and at most 100, not {value!r}")
    return share


def database_zone(value: Any, setting: str) -> ZoneInfo | None:
    """An IANA zone name from the settings (None when not set)."""
    if value in (None, ""):
        return None
    try:
        return ZoneInfo(str(value))
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError(
            f"{setting} {value!r} is not a time zone (use an IANA name such as Australia/Sydney)"
        ) from exc
