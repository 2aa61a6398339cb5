"""RequestCounter: requests, and the records they returned, per endpoint label, for tests,
budgets and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping


class RequestCounter(Mapping[str, int]):
    """Read it like a dict: `counts["GET connectwise /finance/agreements"]`; `reset()` clears.

    Labels are `METHOD vendor /path/with/{placeholders}`. `records()` tells how many records
    the answers under each label listed, which is what a page-size budget is measured on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._records: Counter[str] = Counter()

    def add(self, label: str) -> None:
        with self._lock:
            self._counts[label] += 1

    def listed(self, label: str, records: int) -> None:
        """An answer under `label` listed `records` records."""
        with self._lock:
            self._records[label] += records

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._records.clear()

    def records(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._records.items()))

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def total(self, vendor: str | None = None) -> int:
        with self._lock:
            return sum(n for k, n in self._counts.items() if vendor is None or k.split(" ")[1] == vendor)

    def __getitem__(self, label: str) -> int:
        with self._lock:
            return self._counts[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)
