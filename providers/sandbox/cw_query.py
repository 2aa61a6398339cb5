"""What a ConnectWise list request asks for, checked as strictly as the vendor can be.

The parameters of every GET in the 2026.4 document are `conditions`, `childConditions`,
`customFieldConditions`, `orderBy`, `fields`, `page`, `pageSize` and `pageId`. The sandbox
implements all of them and refuses anything else with a 400, so a client cannot pass here
while relying on a parameter that is silently ignored (an ignored filter returns every
record). Field names inside them must be fields of the entity, spelt as the document spells
them: ConnectWise refuses unknown fields rather than matching them as null, and refusing a
differently-cased name is right whether or not the live server would accept it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.sandbox.conditions import ConditionError, Predicate, field_value, parse_conditions
from providers.sandbox.cw_fields import FIELDS, LIST_OF, MAP, VALUE
from providers.sandbox.exchange import Rejection, Reply, Request

LIST_PARAMETERS = (
    "conditions",
    "childConditions",
    "customFieldConditions",
    "orderBy",
    "fields",
    "page",
    "pageSize",
    "pageId",
)
CUSTOM_FIELDS = "customFields"


def cw_error(status: int, code: str, message: str, *, field: str = "", resource: str = "") -> Reply:
    """The vendor's error body (ErrorResponseMessage)."""
    errors = [{"code": code, "message": message, "resource": resource, "field": field}]
    body = {"code": code, "message": message, "errors": errors if (field or resource) else []}
    return Reply(status, body)


def refuse(parameter: str, message: str) -> Rejection:
    return Rejection(cw_error(400, "InvalidObject", f"{parameter}: {message}", field=parameter))


def check_parameters(request: Request, allowed: tuple[str, ...]) -> None:
    """A 400 for a query parameter the endpoint does not take (or takes spelt otherwise)."""
    for name in request.query:
        if name in allowed:
            continue
        right = next((a for a in allowed if a.lower() == name.lower()), None)
        if right:
            raise refuse(name, f"query parameter names are case-sensitive; use {right!r}")
        raise refuse(name, "is not a query parameter of this endpoint")


class EntityFields:
    """Field-name checks for one entity (Company, Agreement, Addition, CatalogItem)."""

    def __init__(self, entity: str):
        self.entity = entity
        self.table = FIELDS[entity]

    def value_path(self, parameter: str) -> Callable[[str], None]:
        """A checker of paths that name one value (`conditions`, `orderBy`)."""

        def check(path: str) -> None:
            parts = path.split("/")
            kind = self._kind(parts[0])
            if kind and kind[0] == LIST_OF:
                raise ConditionError(f"{parts[0]} is a list; filter it with childConditions")
            self._members(parts, kind)

        return check

    def selection(self, path: str) -> None:
        """`fields`: any field, or a member of a reference or map."""
        parts = path.split("/")
        kind = self._kind(parts[0])
        if len(parts) > 1:
            self._members(parts, kind)

    def list_path(self, lists: set[str]) -> Callable[[str], None]:
        """A checker for `childConditions`: `list/member`, every path on the same list."""

        def check(path: str) -> None:
            parts = path.split("/")
            kind = self._kind(parts[0])
            if not kind or kind[0] != LIST_OF or len(kind) == 1:
                raise ConditionError(f"{parts[0]} is not a list of objects; use conditions for it")
            if len(parts) != 2 or parts[1] not in kind[1:]:
                raise ConditionError(f"{path}: the items of {parts[0]} have the members {', '.join(kind[1:])}")
            lists.add(parts[0])
            if len(lists) > 1:
                raise ConditionError("one childConditions expression filters one list")

        return check

    def custom_field(self, path: str) -> None:
        members = self.table.get(CUSTOM_FIELDS, (LIST_OF,))[1:]
        if path not in members:
            raise ConditionError(f"a custom field has the members {', '.join(members)}, not {path!r}")

    def _kind(self, name: str) -> tuple[str, ...]:
        if name in self.table:
            return self.table[name]
        right = next((f for f in self.table if f.lower() == name.lower()), None)
        hint = f"; it is spelt {right!r}" if right else ""
        raise ConditionError(f"{self.entity} has no field {name!r}{hint}")

    def _members(self, parts: list[str], kind: tuple[str, ...]) -> None:
        head, rest = parts[0], parts[1:]
        if kind == VALUE:
            if rest:
                raise ConditionError(f"{head} is a value; it has no member {rest[0]!r}")
        elif kind == MAP:
            if len(rest) != 1:
                raise ConditionError(f"{head} is a map; name one key, like {head}/lastUpdated")
        elif not rest:
            raise ConditionError(f"{head} is a reference; name one of its members ({', '.join(kind)})")
        elif rest[0] not in kind:
            raise ConditionError(f"{head} has the members {', '.join(kind)}, not {rest[0]!r}")
        elif len(rest) != (2 if rest[0] == "_info" else 1):
            raise ConditionError(f"{'/'.join(parts)} is not a field of {self.entity}")


def record_filter(request: Request, entity: str) -> Predicate:
    """The records a list request selects: `conditions`, `childConditions` and
    `customFieldConditions` all hold."""
    fields = EntityFields(entity)
    parts: list[Predicate] = []
    try:
        parts.append(parse_conditions(request.param("conditions") or "", fields.value_path("conditions")))
    except ConditionError as exc:
        raise refuse("conditions", str(exc)) from exc
    child = request.param("childConditions")
    if child:
        lists: set[str] = set()
        try:
            predicate = parse_conditions(child, fields.list_path(lists))
        except ConditionError as exc:
            raise refuse("childConditions", str(exc)) from exc
        for name in lists:  # an item matches when the whole expression holds for it
            parts.append(_any_item(name, predicate, wrap=True))
    custom = request.param("customFieldConditions")
    if custom:
        try:
            predicate = parse_conditions(custom, fields.custom_field)
        except ConditionError as exc:
            raise refuse("customFieldConditions", str(exc)) from exc
        parts.append(_any_item(CUSTOM_FIELDS, predicate, wrap=False))
    return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))


def order_clauses(request: Request, entity: str) -> list[tuple[str, bool]]:
    """`orderBy` as (field, descending) clauses; default `id asc`."""
    check = EntityFields(entity).value_path("orderBy")
    clauses = []
    for part in (request.param("orderBy") or "id asc").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise refuse("orderBy", f"{part.strip()!r} is not `field asc` or `field desc`")
        try:
            check(words[0])
        except ConditionError as exc:
            raise refuse("orderBy", str(exc)) from exc
        clauses.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return clauses


def selected_fields(request: Request, entity: str) -> list[str]:
    wanted = [f.strip() for f in (request.param("fields") or "").split(",") if f.strip()]
    fields = EntityFields(entity)
    for path in wanted:
        try:
            fields.selection(path)
        except ConditionError as exc:
            raise refuse("fields", str(exc)) from exc
    return wanted


def _any_item(name: str, predicate: Predicate, *, wrap: bool) -> Predicate:
    """Records with an item of list `name` satisfying `predicate` (given as `{name: item}`
    when `wrap`, so that paths like `types/id` resolve; else the item itself)."""

    def test(record: dict[str, Any]) -> bool:
        return any(predicate({name: item} if wrap else item) for item in _items(record, name))

    return test


def _items(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = field_value(record, name)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
