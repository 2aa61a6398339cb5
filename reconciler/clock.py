"""Time as the vendor clients see it: waits and elapsed time, through one replaceable object.

Retries wait as a vendor asks (`Retry-After`), which in a storm is minutes. Tests put a
`FakeClock`-like object in place with `use(...)` so that no test sleeps for real, whichever
client or command they drive; production code never calls `time.sleep` directly.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def sleep(self, seconds: float) -> None: ...

    def monotonic(self) -> float: ...


class SystemClock:
    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()


_current: Clock = SystemClock()


def current() -> Clock:
    return _current


def use(clock: Clock) -> Clock:
    """Make `clock` the one every client uses from now on; return the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


def sleep(seconds: float) -> None:
    """Wait on the current clock (looked up at each call, so `use` applies at once)."""
    _current.sleep(seconds)
