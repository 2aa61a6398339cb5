"""RecordIndex: the records of one world collection by the value of one field.

The emulators answer "the rows of this contract service", "the additions of this agreement",
"the contract with this id" on every request; a scan of the whole collection each time made
a world at MSP scale (1.4 million Autotask unit rows) quadratic to serve. Records are only
ever appended or removed, and the indexed fields (ids and the ids of parents) are never
changed in place, so the index follows appends and is rebuilt when the list shrank, was
replaced, or its last seen record moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Record = dict[str, Any]


class RecordIndex:
    """`lookup(value)` = the records whose `field` equals `value`, in list order. Not
    thread-safe by itself: the store's lock covers it, as it covers the records."""

    def __init__(self, field: str):
        self.field = field
        self._records: list[Record] | None = None
        self._seen = 0
        self._last: Record | None = None
        self._by_value: dict[Any, list[Record]] = {}

    def follow(self, records: list[Record]) -> RecordIndex:
        """Bring the index up to date with `records` (the live list of the collection)."""
        moved = self._seen > len(records) or (self._seen and records[self._seen - 1] is not self._last)
        if records is not self._records or moved:
            self._records, self._seen, self._by_value = records, 0, {}
        for record in records[self._seen :]:
            self._by_value.setdefault(_key(record.get(self.field)), []).append(record)
        self._seen = len(records)
        self._last = records[-1] if records else None
        return self

    def lookup(self, value: Any) -> list[Record]:
        return self._by_value.get(_key(value), [])

    def lookup_all(self, values: Iterable[Any]) -> list[Record]:
        """The records matching any of `values`, each once."""
        found: dict[int, Record] = {}
        for value in values:
            for record in self.lookup(value):
                found[id(record)] = record
        return list(found.values())


def _key(value: Any) -> Any:
    """Ids arrive as numbers or as their text (`/Contracts/7001`): both find the record."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value if not isinstance(value, str) else value.strip()
