"""WorldStore: the in-memory world the emulators share, with its lock and persistence."""

from __future__ import annotations

import copy
import threading
from datetime import date
from pathlib import Path
from typing import Any

from providers.sandbox.world import load_world, save_world_atomic

EACH_WRITE = "each_write"
ON_STOP = "on_stop"


class WorldStore:
    """Holds the world dict. Emulators mutate it only while holding `lock`.

    `persist="each_write"` saves after every successful write request (the demo and the
    end-to-end tests see the file change); `"on_stop"` saves once at stop (benchmarks).
    """

    def __init__(self, path: Path, *, persist: str = EACH_WRITE, clock: date | None = None):
        if persist not in (EACH_WRITE, ON_STOP):
            raise ValueError(f"persist must be {EACH_WRITE!r} or {ON_STOP!r}, not {persist!r}")
        self.path = Path(path)
        self.persist = persist
        self.clock = clock
        self.lock = threading.RLock()
        self.data: dict[str, Any] = load_world(self.path)
        self._dirty = False
        self.generation = 0  # counts successful writes

    def today(self) -> date:
        """The sandbox's "today": the fixed clock when set, else the real date."""
        return self.clock or date.today()

    def records(self, vendor: str, collection: str) -> list[dict[str, Any]]:
        """The live list of one collection, created empty when the world lacks it."""
        section = self.data.setdefault(vendor, {})
        return section.setdefault(collection, [])

    def next_id(self, vendor: str, collection: str, *, floor: int = 1) -> int:
        ids = [r.get("id") for r in self.records(vendor, collection)]
        numeric = [i for i in ids if isinstance(i, int)]
        return max(numeric, default=floor - 1) + 1

    def written(self) -> None:
        """Called after a successful write request."""
        with self.lock:
            self._dirty = True
            self.generation += 1  # cached query results of the emulators are stale now
            if self.persist == EACH_WRITE:
                self.flush()

    def flush(self) -> None:
        with self.lock:
            if self._dirty:
                save_world_atomic(self.path, self.data)
                self._dirty = False

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.data)
