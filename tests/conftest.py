"""Fixtures for the whole suite: no test waits for real when a vendor says "retry later"."""

from __future__ import annotations

import threading
import time

import pytest

from providers import clock


class VirtualClock:
    """Sleeps return at once; `monotonic` moves on by what was slept, so budgets still add up."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + sum(self.waits)


@pytest.fixture(autouse=True)
def virtual_clock():
    fake = VirtualClock()
    previous = clock.use(fake)
    yield fake
    clock.use(previous)
