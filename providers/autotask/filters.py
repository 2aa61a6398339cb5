"""Autotask query filters (`{"op", "field", "value"}`), with long `in` lists split.

Autotask accepts at most 500 values in one `in` filter (500 OR conditions per query), so a
list of ids becomes several filters; a query runs once per filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

MAX_IN_VALUES = 500

Filter = dict[str, Any]


def in_chunks(field: str, values: Iterable[int | str], *, size: int = MAX_IN_VALUES) -> list[Filter]:
    """`field in [...]` filters of at most `size` sorted, distinct values each."""
    distinct = sorted(set(values), key=lambda v: (isinstance(v, str), v))
    return [
        {"op": "in", "field": field, "value": distinct[i : i + size]} for i in range(0, len(distinct), max(1, size))
    ]


def equals(field: str, value: int | str) -> Filter:
    return {"op": "eq", "field": field, "value": value}


def on_or_after(field: str, day: date) -> Filter:
    """`field >= day` for a date-time field (midnight of `day`)."""
    return {"op": "gte", "field": field, "value": f"{day.isoformat()}T00:00:00"}


def on_or_before(field: str, day: date) -> Filter:
    """`field <= day` for a date-time field (midnight of `day`)."""
    return {"op": "lte", "field": field, "value": f"{day.isoformat()}T00:00:00"}


def after(field: str, stamp: str) -> Filter:
    """`field > stamp`, the stamp as sent (see `dates.write_date`)."""
    return {"op": "gt", "field": field, "value": stamp}


def at_most(field: str, stamp: str) -> Filter:
    """`field <= stamp`, the stamp as sent (see `dates.write_date`)."""
    return {"op": "lte", "field": field, "value": stamp}
