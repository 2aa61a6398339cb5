"""The compiled schema check (reconciler/specs/schema.py `compiled`) says "valid" exactly when
jsonschema finds no problem: documents mutated at random from real specs, both ways; and a
schema that draft-07 would read otherwise is never compiled."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reconciler.specs.schema import compiled, quick_check, validator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "client": sorted(ROOT.glob("examples/*/specs/clients/*.yaml")) + sorted(ROOT.glob("specs/clients/*.yaml")),
    "products": [*sorted(ROOT.glob("examples/*/specs/products.yaml")), ROOT / "specs" / "products.yaml"],
}
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


def _mutated(doc: Any, data: st.DataObject) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        how = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if how == "replace":
            parent[path[-1]] = data.draw(VALUES)
        elif how == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(VALUES)
    return doc


def _agree(name: str, doc: Any) -> None:
    quick = quick_check(name)
    assert quick is not None
    try:
        quick(doc)
        fast_valid = True
    except fastjsonschema.JsonSchemaException:
        fast_valid = False
    problems = list(validator(name).iter_errors(doc))
    assert fast_valid == (not problems), (doc, [p.message for p in problems])


@given(st.data())
def test_the_compiled_client_check_agrees_with_jsonschema(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(EXAMPLES["client"]))
    _agree("client", _mutated(yaml.safe_load(source.read_text("utf-8")), data))


@given(st.data())
def test_the_compiled_products_check_agrees_with_jsonschema(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(EXAMPLES["products"]))
    _agree("products", _mutated(yaml.safe_load(source.read_text("utf-8")), data))


def test_a_schema_draft_07_reads_otherwise_is_left_to_jsonschema() -> None:
    assert quick_check("settings") is None  # unevaluatedProperties, format
    beside_a_ref = {"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n", "minimum": 3}}}
    assert compiled(beside_a_ref) is None
    assert compiled({"properties": {"a": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "integer"}}}) is not None
