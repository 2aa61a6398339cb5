"""The hourly request threshold of an Autotask database, and how a run stays inside it.

Autotask counts every request of every integration against one threshold per database
(10,000 per rolling hour) and slows calls down as the count rises. A run reads
`ThresholdInformation` before its first request and again every `check_every` requests.
It stops with a ProviderError, before sending, when the count plus the requests it may
send before the next reading would reach `limit` (the deployment's `request_budget`), so
the other integrations of the database keep their share. Above half of the threshold it
logs a warning and pauses before each request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from reconciler import clock
from reconciler.errors import ProviderError

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 9000
CHECK_EVERY = 200
SLOW_FROM = 0.5  # share of the threshold from which we pause before each request
SLOWER_FROM = 0.75
SLOW_DELAY = 0.5  # seconds; the vendor adds about as much latency itself at these levels
SLOWER_DELAY = 1.0


@dataclass(frozen=True)
class ThresholdReading:
    """`GET /ThresholdInformation`: the database's hourly count and its threshold."""

    threshold: int  # externalRequestThreshold
    timeframe_minutes: int  # requestThresholdTimeframe
    used: int  # currentTimeframeRequestCount


class RequestBudget:
    """Admits requests while the hourly count stays below `limit` (thread-safe)."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        *,
        check_every: int = CHECK_EVERY,
        sleep: Callable[[float], None] | None = None,  # None: the shared clock
    ):
        self.limit = int(limit)
        self.check_every = max(1, int(check_every))
        self.sleep = clock.sleep if sleep is None else sleep
        self._reading: ThresholdReading | None = None
        self._since = 0  # requests admitted since the last reading
        self._lock = threading.Lock()

    @property
    def reading(self) -> ThresholdReading | None:
        return self._reading

    def admit(self, read_threshold: Callable[[], ThresholdReading]) -> None:
        """Before one request: read the threshold when due, stop or pause as needed."""
        with self._lock:
            if self._reading is None or self._since >= self.check_every:
                self._take(read_threshold())
            assert self._reading is not None
            used = self._reading.used + self._since
            self._since += 1
            delay = self._delay(used, self._reading.threshold)
        if delay:
            self.sleep(delay)

    def _take(self, reading: ThresholdReading) -> None:
        self._reading, self._since = reading, 0
        limit = min(self.limit, reading.threshold) if reading.threshold > 0 else self.limit
        planned = self.check_every
        if reading.used + planned >= limit:
            raise ProviderError(
                f"Autotask: {reading.used} requests were made in the last "
                f"{reading.timeframe_minutes} minutes (the database's threshold is "
                f"{reading.threshold}); with up to {planned} more before the next check this "
                f"run would reach its request budget of {limit}, so it stopped before sending "
                "more. Run again when the hourly count has dropped, or raise psa.request_budget."
            )
        share = reading.used / reading.threshold if reading.threshold > 0 else 0.0
        if share >= SLOW_FROM:
            log.warning(
                "autotask.budget: used=%d threshold=%d share=%.0f%% pausing=%.1fs per request",
                reading.used,
                reading.threshold,
                share * 100,
                self._delay(reading.used, reading.threshold),
            )
        else:
            log.info("autotask.budget: used=%d threshold=%d", reading.used, reading.threshold)

    @staticmethod
    def _delay(used: int, threshold: int) -> float:
        if threshold <= 0:
            return 0.0
        share = used / threshold
        if share >= SLOWER_FROM:
            return SLOWER_DELAY
        if share >= SLOW_FROM:
            return SLOW_DELAY
        return 0.0
