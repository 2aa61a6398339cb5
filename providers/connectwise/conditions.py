"""`conditions` query strings in ConnectWise's grammar, kept short enough for a URL.

Strings go in double quotes, date-times in square brackets, `in` takes a parenthesised
list. Long id lists are split into several conditions so that no request URL grows past
what proxies and IIS accept (~6 KB is safe; we budget the encoded condition well below it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from urllib.parse import quote

MAX_ENCODED_CONDITION = 4000  # characters after URL encoding; leaves room for the rest of the URL


def string_literal(value: str) -> str:
    """A double-quoted string literal; an embedded quote or backslash is escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def datetime_literal(day: date) -> str:
    return f"[{day.isoformat()}T00:00:00Z]"


def not_cancelled_before(day: date) -> str:
    """Additions still in force on `day` or later (open-ended, or cancelled on/after it)."""
    return f"cancelledDate = null or cancelledDate >= {datetime_literal(day)}"


def ids_in(field: str, ids: Iterable[int], *, budget: int = MAX_ENCODED_CONDITION) -> list[str]:
    """`field in (1,2,...)` conditions, sorted ids, each within `budget` encoded characters."""
    return list(_chunked(field, [str(int(i)) for i in sorted(set(ids))], budget))


def strings_in(field: str, values: Iterable[str], *, budget: int = MAX_ENCODED_CONDITION) -> list[str]:
    """`field in ("A","B")` conditions, sorted values, each within `budget` encoded characters."""
    return list(_chunked(field, [string_literal(v) for v in sorted(set(values))], budget))


def _chunked(field: str, literals: list[str], budget: int) -> Iterator[str]:
    prefix = f"{field} in ("
    fixed = _encoded_len(prefix + ")")
    chunk: list[str] = []
    size = fixed
    for literal in literals:
        cost = _encoded_len(literal) + (_encoded_len(",") if chunk else 0)
        if chunk and size + cost > budget:
            yield prefix + ",".join(chunk) + ")"
            chunk, size = [], fixed
            cost = _encoded_len(literal)
        chunk.append(literal)
        size += cost
    if chunk:
        yield prefix + ",".join(chunk) + ")"


def _encoded_len(text: str) -> int:
    return len(quote(text, safe=""))
