"""ConnectWise list responses: filtering, orderBy, fields, page/pageSize and Link headers.

Links are written as the real server writes them, `page` (or `pageId`) last:
`<https://HOST/v4_6_release/apis/3.0/company/companies?pageSize=25&page=2>; rel="next"`.
Community clients read the page number with a pattern anchored on the `>` that follows it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from providers.sandbox.conditions import field_value
from providers.sandbox.cw_query import (
    cw_error,
    order_clauses,
    record_filter,
    refuse,
    selected_fields,
)
from providers.sandbox.exchange import Rejection, Reply, Request

__all__ = ["count_reply", "cw_error", "list_reply", "matching", "public", "select_fields"]

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
FORWARD_ONLY = "forward-only"


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as ConnectWise sends it: no nulls (CW omits them), no sandbox bookkeeping."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (key.startswith("_") and key != "_info"):
            continue
        out[key] = public(value) if isinstance(value, dict) else value
    return out


def matching(request: Request, records: list[dict[str, Any]], entity: str) -> list[dict[str, Any]]:
    """Records the request selects, in `orderBy` order (default id asc)."""
    predicate = record_filter(request, entity)
    clauses = order_clauses(request, entity)
    found = [r for r in records if predicate(r)]
    for name, descending in reversed(clauses):
        found.sort(key=lambda r: _sort_key(field_value(r, name)), reverse=descending)
    return found


def count_reply(request: Request, records: list[dict[str, Any]], entity: str) -> Reply:
    return Reply(200, {"count": len(matching(request, records, entity))})


def list_reply(request: Request, records: list[dict[str, Any]], entity: str) -> Reply:
    """One page of the matching records with the RFC-5988 Link header."""
    wanted = selected_fields(request, entity)
    found = matching(request, records, entity)
    size = _int_param(request, "pageSize", DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE or size < 1:
        raise Rejection(
            cw_error(400, "InvalidObject", f"pageSize must be between 1 and {MAX_PAGE_SIZE}", field="pageSize")
        )
    if (request.header("pagination-type") or "").lower() == FORWARD_ONLY:
        return _forward_only(request, found, size, wanted)
    if request.param("pageId") is not None:
        raise refuse("pageId", "pageId pages only with the `pagination-type: forward-only` header")
    page = _int_param(request, "page", 1)
    if page < 1:
        raise Rejection(cw_error(400, "InvalidObject", "page must be 1 or more", field="page"))
    last = max(1, -(-len(found) // size))
    chosen = found[(page - 1) * size : page * size]
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    header = ", ".join(
        f'<{_page_url(request, pageSize=size, page=n)}>; rel="{rel}"'
        for rel, n in sorted(links.items(), key=lambda kv: ("next", "prev", "first", "last").index(kv[0]))
    )
    return Reply(200, [select_fields(wanted, public(r)) for r in chosen], {"Link": header})


def _forward_only(request: Request, found: list[dict[str, Any]], size: int, wanted: list[str]) -> Reply:
    if request.param("page") is not None:
        raise refuse("page", "forward-only paging takes pageId, not page")
    after = _int_param(request, "pageId", 0)
    ordered = sorted((r for r in found if int(r.get("id", 0)) > after), key=lambda r: r["id"])
    chosen = ordered[:size]
    headers = {}
    if len(ordered) > size:
        headers["Link"] = f'<{_page_url(request, pageSize=size, pageId=chosen[-1]["id"])}>; rel="next"'
    return Reply(200, [select_fields(wanted, public(r)) for r in chosen], headers)


def _page_url(request: Request, **paging: Any) -> str:
    """This request's URL with the paging parameters replaced, written last in their order."""
    params = {k: v[-1] for k, v in request.query.items() if k not in ("page", "pageSize", "pageId")}
    params.update({k: str(v) for k, v in paging.items()})
    return request.url(query=urlencode(params))


def select_fields(wanted: list[str], record: dict[str, Any]) -> dict[str, Any]:
    if not wanted:
        return record
    out: dict[str, Any] = {}
    for path in wanted:
        value = field_value(record, path)
        if value is None:
            continue
        target, parts = out, path.split("/")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value).lower())


def _int_param(request: Request, name: str, default: int) -> int:
    text = request.param(name)
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise Rejection(cw_error(400, "InvalidObject", f"{name} must be an integer", field=name)) from exc
