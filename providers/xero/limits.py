"""Xero's limits on API calls, kept on our side so a run is not the one that meets them.

Per organisation and app, Xero allows 5 calls in progress at once, 60 a minute and 5,000 a
day, and tells the day's rest in `X-DayLimit-Remaining` on every answer. A call waits for
a free slot and for the rolling minute to have room; once the day's rest is at or below
the reserve, no further call is sent: the run stops cleanly with an error saying so, and
the reserve is left for the MSP's other work in Xero (and for a rerun's first reads).
A 429 that still comes (another app of the same organisation, a clock apart) is waited out
as its Retry-After asks, by the shared retry policy.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from reconciler import clock
from reconciler.errors import ProviderError

log = logging.getLogger(__name__)

CONCURRENT = 5
PER_MINUTE = 60
PER_DAY = 5000
DEFAULT_RESERVE = 100
WINDOW = 61.0  # seconds: Xero's rolling minute, and a second for the clocks apart


class DayLimitReached(ProviderError):
    """The day's calls are spent down to the reserve: nothing more is sent today."""


class CallLimits:
    def __init__(self, *, concurrent: int = CONCURRENT, per_minute: int = PER_MINUTE, reserve: int = DEFAULT_RESERVE):
        self.per_minute = per_minute
        self.reserve = reserve
        self.day_remaining: int | None = None  # as Xero last said
        self._slots = threading.BoundedSemaphore(max(1, min(concurrent, CONCURRENT)))
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    @contextmanager
    def call(self) -> Iterator[None]:
        """One API call: within the day's budget, a free slot and room in the minute."""
        self._check_day()
        with self._slots:
            self._wait_for_minute()
            yield

    def observe(self, headers: Mapping[str, str]) -> None:
        """Note what an answer says is left: the day's rest (`X-DayLimit-Remaining`), and the
        minute's (`X-MinLimit-Remaining`), which counts calls this client did not make (an
        earlier run a moment ago): those are taken to have been made just now."""
        day, minute = _number(headers.get("X-DayLimit-Remaining")), _number(headers.get("X-MinLimit-Remaining"))
        with self._lock:
            if day is not None:
                self.day_remaining = day
            if minute is not None and minute < self.per_minute - len(self._sent):
                now = clock.current().monotonic()
                self._sent.extend([now] * (self.per_minute - len(self._sent) - minute))

    def _check_day(self) -> None:
        with self._lock:
            remaining = self.day_remaining
        if remaining is not None and remaining <= self.reserve:
            raise DayLimitReached(
                f"Xero: {remaining} of the organisation's {PER_DAY:,} API calls a day are left, and "
                f"ncesync keeps the last {self.reserve} (psa.day_limit_reserve) for other work; it "
                "stopped before sending more. Run again after Xero's day resets (midnight UTC)",
                status=429,
            )

    def _wait_for_minute(self) -> None:
        while True:
            with self._lock:
                now = clock.current().monotonic()
                while self._sent and now - self._sent[0] >= WINDOW:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return
                wait = WINDOW - (now - self._sent[0])
            log.info("xero.limits: per_minute=%d waiting=%.1fs", self.per_minute, wait)
            clock.sleep(max(wait, 0.01))


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
