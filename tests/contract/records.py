"""Hypothesis strategies for vendor records, generated from the vendors' own schemas.

Each property is left out, null, a value of its documented type, or an odd value (another
type, an empty string, a huge or negative number, NaN text, a nested object); records also
get members the schema does not have. Enough of them are well-formed that the parsers'
deeper paths run too.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.contract import openapi

ODD = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=6),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just("NaN"),
    st.just("1e999"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
DATE_TIMES = st.one_of(
    st.dates().map(lambda d: f"{d.isoformat()}T00:00:00Z"),
    st.datetimes().map(lambda d: d.isoformat(timespec="milliseconds")),
    st.dates().map(lambda d: d.isoformat()),
)


def records(
    document: openapi.Document, name: str, *, fixed: dict[str, st.SearchStrategy[Any]] | None = None, depth: int = 1
) -> st.SearchStrategy[dict[str, Any]]:
    """Records of the shared schema `name` (`Agreement`, `ContractModel`); `fixed` pins some
    members (an id the test needs) to a strategy of its own."""
    schema = _shared(document, name)
    properties = schema.get("properties", {})
    fixed = fixed or {}
    optional = {key: _member(document, prop, depth) for key, prop in properties.items() if key not in fixed}
    extra = st.dictionaries(st.text(min_size=1, max_size=10).filter(lambda k: k not in properties), ODD, max_size=2)
    return st.builds(lambda base, more: {**more, **base}, st.fixed_dictionaries(fixed, optional=optional), extra)


def _member(document: openapi.Document, prop: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    return st.one_of(_typed(document, prop, depth), _typed(document, prop, depth), ODD)


def _typed(document: openapi.Document, prop: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "$ref" in prop:
        target = prop["$ref"].rsplit("/", 1)[1]
        return (
            records(document, target, depth=depth - 1)
            if depth > 0
            else st.fixed_dictionaries({"id": st.integers(1, 99)})
        )
    if "enum" in prop:
        return st.sampled_from([v for v in prop["enum"] if v is not None])
    kind = prop.get("type")
    if kind == "integer":
        return st.integers(min_value=-5, max_value=10_000)
    if kind == "number":
        return st.one_of(
            st.integers(-5, 10_000), st.decimals(min_value=-100, max_value=10_000, places=2, allow_nan=False).map(float)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return DATE_TIMES if prop.get("format") == "date-time" else st.text(max_size=12)
    if kind == "array":
        items = prop.get("items", {})
        return st.lists(_typed(document, items, depth - 1) if depth > 0 else ODD, max_size=2)
    return ODD


def _shared(document: openapi.Document, name: str) -> dict[str, Any]:
    if document.openapi:
        return document.doc["components"]["schemas"][name]
    return document.doc["definitions"][name]
