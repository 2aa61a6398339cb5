"""WorldStore: the in-memory world the emulators share, with its locks and persistence.

Several processes may serve one world file: two applies started at once each run an
embedded sandbox on the deployment's `.ncesync/world.json`, and `sandbox serve` may run
beside them. Each write request therefore runs under the world file's own OS-level lock
(`.world.json.lock` beside it), on the file's latest content (re-read when another process
changed it), and is saved before the lock is let go: no process overwrites another's write.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

from providers.sandbox.record_index import RecordIndex
from providers.sandbox.world import load_world, save_world_atomic, world_lock

T = TypeVar("T")

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
        self._file_lock = world_lock(self.path)
        self.data: dict[str, Any] = load_world(self.path)
        self._seen = _signature(self.path)  # the file as last read or written by this store
        self._dirty = False
        self.generation = 0  # counts successful writes
        self._highest: dict[tuple[str, str], _Highest] = {}
        self._indexes: dict[tuple[str, str, str], RecordIndex] = {}

    def today(self) -> date:
        """The sandbox's "today": the fixed clock when set, else the real date."""
        return self.clock or date.today()

    def records(self, vendor: str, collection: str) -> list[dict[str, Any]]:
        """The live list of one collection, created empty when the world lacks it."""
        # the world schema: a vendor's section maps each collection to a list of records
        section: dict[str, list[dict[str, Any]]] = self.data.setdefault(vendor, {})
        return section.setdefault(collection, [])

    def index(self, vendor: str, collection: str, field: str) -> RecordIndex:
        """The collection's records by `field`, up to date (call it under `lock`)."""
        key = (vendor, collection, field)
        found = self._indexes.get(key)
        if found is None:
            found = self._indexes[key] = RecordIndex(field)
        return found.follow(self.records(vendor, collection))

    def find(self, vendor: str, collection: str, record_id: Any) -> dict[str, Any] | None:
        """The record of a collection with this id (a number or its text), or None."""
        found = self.index(vendor, collection, "id").lookup(record_id)
        return found[0] if found else None

    def next_id(self, vendor: str, collection: str, *, floor: int = 1) -> int:
        """A new id: above every id in the collection and every id handed out before for it
        (at least `floor`). Never reused after a delete, as a vendor does.

        Remembered per collection, so a write into a world of a million unit rows does not
        scan them all for every new id. Records are added by appending: only those appended
        since are looked at; when the list shrank or its last seen record is gone (a delete),
        it is scanned again, and a replaced list (a reset world) starts over."""
        records = self.records(vendor, collection)
        known = self._highest.get((vendor, collection))
        if known is None or known.records is not records:
            known = _Highest(records, 0, floor - 1)
        elif known.seen > len(records) or (known.seen and records[known.seen - 1] is not known.last):
            known.seen = 0
        for record in records[known.seen :]:
            value = record.get("id")
            if isinstance(value, int) and value > known.id:
                known.id = value
        known.seen = len(records)
        known.last = records[-1] if records else None
        known.id += 1
        self._highest[(vendor, collection)] = known
        return known.id

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write request: under the world file's lock, on its latest content, saved
        before the lock is let go (with `persist="on_stop"` the file is this store's alone)."""
        with self.lock:
            if self.persist != EACH_WRITE:
                yield
                return
            self._file_lock.acquire(wait=True)
            try:
                self.refresh()
                yield
            finally:
                self._file_lock.release()

    def refresh(self) -> None:
        """Read the file again when another process changed it since this store read it."""
        with self.lock:
            if self.persist != EACH_WRITE or self._dirty:
                return
            now = _signature(self.path)
            if now is not None and now != self._seen:
                self.data = load_world(self.path)
                self._seen = now
                self._highest.clear()
                self.generation += 1  # the emulators' cached answers are stale

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
                self._seen = _signature(self.path)
                self._dirty = False

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return json_copy(self.data)


def json_copy(value: T) -> T:
    """A deep copy of JSON data (the world holds nothing else: it is saved with json.dumps),
    without copy.deepcopy's bookkeeping for shared and cyclic objects, which JSON cannot have."""
    if isinstance(value, dict):
        return cast("T", {key: json_copy(item) for key, item in value.items()})
    if isinstance(value, list):
        return cast("T", [json_copy(item) for item in value])
    return value


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is replaced or rewritten (inode, size, modification time)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass
class _Highest:
    """The highest id among the first `seen` records of one collection's list (`last` the
    record at `seen - 1`), or handed out for it."""

    records: list[dict[str, Any]]
    seen: int
    id: int
    last: dict[str, Any] | None = None
