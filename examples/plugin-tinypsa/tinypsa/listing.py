"""Paging and filters of TinyPSA's list endpoints (the emulator's side).

`?page=` counts from 1 and `?per_page=` goes up to MAX_PER_PAGE; the answer's `next` is the
path of the next page, relative to the API root, with the same filters, or null on the last.
Filters are comma-separated: `?ids=1,2`, `?codes=A,B`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tinypsa.records import ApiError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def page(path: str, query: dict[str, str], records: list[Any]) -> dict[str, Any]:
    try:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        raise ApiError(400, "invalid", "page and per_page: expected whole numbers") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(400, "invalid", f"page from 1, per_page from 1 to {MAX_PER_PAGE}")
    first = (page - 1) * per_page
    following = None
    if first + per_page < len(records):
        following = f"{path}?{urlencode({**query, 'page': page + 1, 'per_page': per_page})}"
    return {
        "data": records[first : first + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(records),
        "next": following,
    }


def ids(text: str | None) -> set[int] | None:
    if text is None:
        return None
    try:
        return {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise ApiError(400, "invalid", f"expected comma-separated ids, got {text!r}") from None


def codes(text: str | None) -> set[str] | None:
    return None if text is None else {part.strip() for part in text.split(",") if part.strip()}
