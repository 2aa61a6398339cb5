"""Autotask query models: filters, includeFields, maxRecords, and stateless page tokens.

A filter or includeFields naming a field the entity does not have is an error, as on the
live API (HTTP 500, "Unable to find X in the Y Entity"), never a match on null. A filter
with `"udf": true` is on a user-defined field, and Autotask takes one such filter a query.
"""

from __future__ import annotations

import base64
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from providers.sandbox.vendor_dates import parse_datetime

if TYPE_CHECKING:
    from providers.sandbox.record_index import RecordIndex

MAX_RECORDS = 500
Predicate = Callable[[dict[str, Any]], bool]
_COMPARISONS = {"eq", "noteq", "gt", "gte", "lt", "lte"}
_TEXT_OPS = {"beginswith", "endswith", "contains"}


class QueryError(ValueError):
    """The query model is invalid; the message is what Autotask would say, `status` its HTTP status."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Vocabulary:
    """What a query on one entity may name: its fields and its user-defined fields."""

    entity: str  # the entity's name as Autotask's messages write it, e.g. Contract
    fields: frozenset[str]  # lower-cased: Autotask matches field names in any case
    udfs: frozenset[str] = frozenset()  # lower-cased names of the UDFs the entity has

    def check(self, name: str, *, udf: bool = False) -> None:
        known = self.udfs if udf else self.fields
        if name.lower() not in known:
            raise QueryError(f"Unable to find {name} in the {self.entity} Entity", status=500)


@dataclass(frozen=True)
class Query:
    filters: tuple[dict[str, Any], ...]
    include_fields: tuple[str, ...]
    max_records: int
    offset: int = 0
    method: str = "POST"  # how the query was sent; its next pages take the same method

    def check(self, vocabulary: Vocabulary) -> None:
        """Every field the query names exists on the entity; at most one UDF filter."""
        for name in self.include_fields:
            vocabulary.check(name)
        if _udf_filters(self.filters) > 1:
            raise QueryError("Only one user-defined field can be queried at a time", status=500)
        predicate_of(list(self.filters), vocabulary)

    @classmethod
    def parse(cls, model: Any) -> Query:
        if model in (None, ""):
            model = {}
        if not isinstance(model, dict):
            raise QueryError("The query model must be a JSON object.")
        member = {k.lower(): v for k, v in model.items()}
        filters = member.get("filter") or []
        if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
            raise QueryError("filter must be a list of filter objects.")
        fields = member.get("includefields") or []
        max_records = member.get("maxrecords", MAX_RECORDS)
        if isinstance(max_records, bool) or not isinstance(max_records, int):
            raise QueryError("MaxRecords must be an integer.")
        if not 1 <= max_records <= MAX_RECORDS:
            raise QueryError(f"MaxRecords must be between 1 and {MAX_RECORDS}.")
        predicate_of(filters)  # validate now, so a bad filter fails before paging
        return cls(tuple(filters), tuple(str(f) for f in fields), max_records)

    def to_model(self) -> dict[str, Any]:
        return {
            "filter": list(self.filters),
            "includeFields": list(self.include_fields),
            "maxRecords": self.max_records,
        }

    def token(self, offset: int) -> str:
        """A page token for nextPageUrl/prevPageUrl: the query, its method and the offset."""
        data = {"q": self.to_model(), "o": offset, "m": self.method}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")

    @classmethod
    def from_token(cls, token: str) -> Query:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
            query = cls.parse(data["q"])
            return cls(
                query.filters, query.include_fields, query.max_records, int(data["o"]), str(data.get("m", "POST"))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise QueryError("The paging token is not valid.") from exc

    def same_query(self, other: Query) -> bool:
        return self.to_model() == other.to_model()

    def select(self, record: dict[str, Any]) -> dict[str, Any]:
        if not self.include_fields:
            return dict(record)
        wanted = {f.lower() for f in self.include_fields}
        return {k: v for k, v in record.items() if k.lower() in wanted}


def predicate_of(filters: list[dict[str, Any]], vocabulary: Vocabulary | None = None) -> Predicate:
    """Top-level filters are ANDed. With a vocabulary, unknown fields are errors."""
    parts = [_one(f, vocabulary) for f in filters]
    return lambda r: all(p(r) for p in parts)


def indexed_candidates(
    filters: list[dict[str, Any]], index_for: Callable[[str], RecordIndex | None]
) -> list[dict[str, Any]] | None:
    """The records that can match `filters` (ANDed), found through an index on an `eq` or
    `in` filter of ids (an `or` of such filters too); None when no filter names ids, and
    every record is a candidate. The full filter is still applied to each candidate."""
    for item in filters:
        found = _candidates_of(item, index_for)
        if found is not None:
            return found
    return None


def _candidates_of(item: Any, index_for: Callable[[str], RecordIndex | None]) -> list[dict[str, Any]] | None:
    if not isinstance(item, dict):
        return None
    spec = {k.lower(): v for k, v in item.items()}
    op = str(spec.get("op", "")).lower()
    items = [i for i in spec.get("items") or [] if isinstance(i, dict)]
    if op == "and":
        return indexed_candidates(items, index_for)
    if op == "or":
        parts = [_candidates_of(i, index_for) for i in items]
        if not parts or any(p is None for p in parts):
            return None
        union = {id(r): r for part in parts for r in part or ()}
        return list(union.values())
    field, value = spec.get("field"), spec.get("value")
    if spec.get("udf") is True or not isinstance(field, str):
        return None
    values = [value] if op == "eq" else value if op == "in" and isinstance(value, list) else None
    if values is None or not all(_id_like(v) for v in values):
        return None
    index = index_for(field)
    return None if index is None else index.lookup_all(values)


def _id_like(value: Any) -> bool:
    return type(value) is int or (isinstance(value, str) and value.strip().isdigit())


def _one(item: dict[str, Any], vocabulary: Vocabulary | None) -> Predicate:
    spec = {k.lower(): v for k, v in item.items()}
    op = str(spec.get("op", "")).lower()
    if op in ("and", "or"):
        parts = [_one(i, vocabulary) for i in spec.get("items") or [] if isinstance(i, dict)]
        if not parts:
            raise QueryError(f"A '{op}' filter needs items.")
        combine = all if op == "and" else any
        return lambda r: combine(p(r) for p in parts)
    field = spec.get("field")
    if not isinstance(field, str) or not field:
        raise QueryError(f"Filter {item!r} has no field.")
    udf = spec.get("udf") is True
    if vocabulary is not None:
        vocabulary.check(field, udf=udf)
    get = _udf if udf else _get
    if op == "exist":
        return lambda r: get(r, field) not in (None, "")
    if op == "notexist":
        return lambda r: get(r, field) in (None, "")
    if "value" not in spec:
        raise QueryError(f"Filter on {field} with op '{op}' needs a value.")
    value = spec["value"]
    if op in ("in", "notin"):
        if not isinstance(value, list):
            raise QueryError(f"Filter on {field} with op '{op}' needs a list value.")
        hit = _member_of(field, value, get)
        return hit if op == "in" else (lambda r: not hit(r))
    if op in _COMPARISONS:
        return lambda r: _compare(get(r, field), op, value)
    if op in _TEXT_OPS:
        return lambda r: _text(get(r, field), op, str(value))
    raise QueryError(f"Unknown filter operator '{spec.get('op')}'.")


def _udf_filters(filters: Any) -> int:
    """How many filter items (nested ones too) are on user-defined fields."""
    count = 0
    for item in filters or ():
        if isinstance(item, dict):
            spec = {k.lower(): v for k, v in item.items()}
            count += (spec.get("udf") is True) + _udf_filters(spec.get("items"))
    return count


def _member_of(field: str, values: list[Any], get: Callable[[dict[str, Any], str], Any]) -> Predicate:
    """`field in values`; whole-number ids (the common case) by set membership."""
    if all(type(v) is int for v in values):
        ids = frozenset(values)
        slow: Predicate = lambda r: any(_equal(get(r, field), v) for v in values)  # noqa: E731
        return lambda r: get(r, field) in ids if type(get(r, field)) is int else slow(r)
    return lambda r: any(_equal(get(r, field), v) for v in values)


def _get(record: dict[str, Any], field: str) -> Any:
    if field in record:
        return record[field]
    return next((v for k, v in record.items() if k.lower() == field.lower()), None)


def _udf(record: dict[str, Any], name: str) -> Any:
    """The value of the record's user-defined field `name` (any case); None when unset."""
    for item in record.get("userDefinedFields") or ():
        if isinstance(item, dict) and str(item.get("name", "")).lower() == name.lower():
            return item.get("value")
    return None


def _equal(actual: Any, value: Any) -> bool:
    return _compare(actual, "eq", value)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "noteq": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _compare(actual: Any, op: str, value: Any) -> bool:
    left, right = _coerce(actual, value)
    if left is None or right is None:
        both = left is None and right is None
        return {"eq": both, "noteq": not both}.get(op, False)
    # both sides coerced alike (Decimals, datetimes, bools or lower-cased texts)
    return bool(_OPERATORS[op](left, right))


def _coerce(actual: Any, value: Any) -> tuple[Any, Any]:
    if actual is None or value is None:
        return actual, value
    if isinstance(actual, bool) or isinstance(value, bool):
        return _as_bool(actual), _as_bool(value)
    if isinstance(actual, (int, float)) or isinstance(value, (int, float)):
        try:
            return Decimal(str(actual)), Decimal(str(value))
        except InvalidOperation:
            return str(actual).lower(), str(value).lower()
    if isinstance(actual, str) and isinstance(value, str) and len(actual) >= 10 and len(value) >= 10:
        try:
            return parse_datetime(actual), parse_datetime(value)
        except ValueError:
            pass
    return str(actual).lower(), str(value).lower()


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _text(actual: Any, op: str, value: str) -> bool:
    if actual is None:
        return False
    text, value = str(actual).lower(), value.lower()
    if op == "beginswith":
        return text.startswith(value)
    if op == "endswith":
        return text.endswith(value)
    return value in text
