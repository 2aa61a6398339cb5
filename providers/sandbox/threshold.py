"""Autotask's request threshold: requests per rolling hour, shared by a whole database."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

LIMIT = 10_000
TIMEFRAME_MINUTES = 60


class RequestWindow:
    """Counts requests in the last hour. `preset(n)` pretends n requests just happened."""

    def __init__(self, *, limit: int = LIMIT, now: Callable[[], float] = time.monotonic):
        self.limit = limit
        self._now = now
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def record(self) -> int:
        """Record one request; return the count in the window including it."""
        with self._lock:
            self._stamps.append(self._now())
            return self._count()

    def count(self) -> int:
        with self._lock:
            return self._count()

    def preset(self, n: int) -> None:
        with self._lock:
            stamp = self._now()
            self._stamps = deque([stamp] * n)

    def _count(self) -> int:
        horizon = self._now() - TIMEFRAME_MINUTES * 60
        while self._stamps and self._stamps[0] < horizon:
            self._stamps.popleft()
        return len(self._stamps)
