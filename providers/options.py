"""Values of a provider's settings block that every PSA provider reads the same way."""

from __future__ import annotations

from typing import Any

from reconciler.errors import ConfigError

DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds
MAX_CONNECT_TIMEOUT = 10.0


def timeouts(value: Any, setting: str = "psa.timeout") -> tuple[float, float]:
    """`timeout: 30` as (connect, read) seconds; the connect part is capped at 10 s."""
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{setting} must be a number of seconds, not {value!r}") from None
    if seconds <= 0:
        raise ConfigError(f"{setting} must be more than 0 seconds")
    return (min(seconds, MAX_CONNECT_TIMEOUT), seconds)


def whole_number(value: Any, setting: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer setting within [minimum, maximum]; a ConfigError naming the setting if not."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{setting} must be a whole number, not {value!r}") from None
    if isinstance(value, float) and value != number:
        raise ConfigError(f"{setting} must be a whole number, not {value!r}")
    if number < minimum:
        raise ConfigError(f"{setting} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{setting} must be at most {maximum}")
    return number
