"""ConnectWise list responses: conditions, orderBy, fields, page/pageSize and Link headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from providers.sandbox.conditions import ConditionError, field_value, parse_conditions
from providers.sandbox.exchange import Rejection, Reply, Request

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


def cw_error(status: int, code: str, message: str, *, field: str = "", resource: str = "") -> Reply:
    """The vendor's error body (ErrorResponseMessage)."""
    errors = [{"code": code, "message": message, "resource": resource, "field": field}]
    body = {"code": code, "message": message, "errors": errors if (field or resource) else []}
    return Reply(status, body)


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as ConnectWise sends it: no nulls (CW omits them), no sandbox bookkeeping."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (key.startswith("_") and key != "_info"):
            continue
        out[key] = public(value) if isinstance(value, dict) else value
    return out


def matching(request: Request, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records passing the `conditions` parameter, in `orderBy` order (default id asc)."""
    try:
        predicate = parse_conditions(request.param("conditions") or "")
    except ConditionError as exc:
        raise Rejection(cw_error(400, "InvalidObject", f"conditions: {exc}", field="conditions")) from exc
    found = [r for r in records if predicate(r)]
    for clause in reversed(_order_clauses(request.param("orderBy") or "id asc")):
        name, descending = clause
        found.sort(key=lambda r: _sort_key(field_value(r, name)), reverse=descending)
    return found


def count_reply(request: Request, records: list[dict[str, Any]]) -> Reply:
    return Reply(200, {"count": len(matching(request, records))})


def list_reply(request: Request, records: list[dict[str, Any]]) -> Reply:
    """One page of the matching records with the RFC-5988 Link header."""
    found = matching(request, records)
    page, size = _int_param(request, "page", 1), _int_param(request, "pageSize", DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE or size < 1:
        raise Rejection(
            cw_error(400, "InvalidObject", f"pageSize must be between 1 and {MAX_PAGE_SIZE}", field="pageSize")
        )
    if page < 1:
        raise Rejection(cw_error(400, "InvalidObject", "page must be 1 or more", field="page"))
    if (request.header("pagination-type") or "").lower() == "forward-only":
        return _forward_only(request, found, size)
    last = max(1, -(-len(found) // size))
    chosen = found[(page - 1) * size : page * size]
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    header = ", ".join(
        f'<{_page_url(request, {"page": n, "pageSize": size})}>; rel="{rel}"'
        for rel, n in sorted(links.items(), key=lambda kv: ("next", "prev", "first", "last").index(kv[0]))
    )
    return Reply(200, [_fields(request, public(r)) for r in chosen], {"Link": header})


def _forward_only(request: Request, found: list[dict[str, Any]], size: int) -> Reply:
    after = _int_param(request, "pageId", 0)
    ordered = sorted((r for r in found if int(r.get("id", 0)) > after), key=lambda r: r["id"])
    chosen = ordered[:size]
    headers = {}
    if len(ordered) > size:
        headers["Link"] = f'<{_page_url(request, {"pageId": chosen[-1]["id"], "pageSize": size})}>; rel="next"'
    return Reply(200, [_fields(request, public(r)) for r in chosen], headers)


def _page_url(request: Request, changes: dict[str, Any]) -> str:
    params = {k: v[-1] for k, v in request.query.items() if k not in changes}
    params.update({k: str(v) for k, v in changes.items()})
    return request.url(query=urlencode(params))


def _fields(request: Request, record: dict[str, Any]) -> dict[str, Any]:
    wanted = [f.strip() for f in (request.param("fields") or "").split(",") if f.strip()]
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


def _order_clauses(text: str) -> list[tuple[str, bool]]:
    clauses = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        clauses.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
    return clauses


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
