"""The compiled schema check (reconciler/specs/schema.py `compiled`) never says "valid" where
jsonschema (the schemas' own draft, 2020-12) finds a problem: documents mutated at random
from real specs, as the specs loader reads them, and from a generated sandbox world. It may
refuse more (then jsonschema decides); on these documents it agrees. A schema draft-07 would
read otherwise is never compiled, and compiling leaves the loaded schema as it was."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from providers.sandbox.generator import WORLD_REL, generate
from providers.sandbox.world import world_schema
from reconciler.specs.schema import (
    SchemaCheck,
    compiled,
    load_schema,
    quick_accepts,
    quick_check,
    schema_names,
    validator,
)
from reconciler.specs.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
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


def _never_more_lenient(check: Any, precise: Any, doc: Any) -> bool:
    """Fails when the compiled check accepts what jsonschema refuses; True when both accept."""
    fast = quick_accepts(check, doc)
    problems = [p.message for p in precise.iter_errors(doc)]
    assert not (fast and problems), (doc, problems)
    return fast == (not problems)


def _spec(path: Path) -> Any:
    return load_yaml(path, path.name).data  # as the specs loader reads it (amounts as Decimal)


@PROPERTY
@given(st.data())
def test_the_compiled_client_check_never_accepts_what_jsonschema_refuses(data: st.DataObject) -> None:
    doc = _mutated(_spec(data.draw(st.sampled_from(EXAMPLES["client"]))), data)
    _never_more_lenient(quick_check("client"), validator("client"), doc)


@PROPERTY
@given(st.data())
def test_the_compiled_products_check_never_accepts_what_jsonschema_refuses(data: st.DataObject) -> None:
    doc = _mutated(_spec(data.draw(st.sampled_from(EXAMPLES["products"]))), data)
    _never_more_lenient(quick_check("products"), validator("products"), doc)


def test_unchanged_client_files_pass_the_compiled_check() -> None:
    """The quick path is taken on real client files, or it would save nothing."""
    for path in EXAMPLES["client"]:
        assert _never_more_lenient(quick_check("client"), validator("client"), _spec(path)), path
        assert quick_accepts(quick_check("client"), _spec(path)), path


@pytest.fixture(scope="module")
def world_checks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    """A generated one-client world, the compiled world check and jsonschema's."""
    root = tmp_path_factory.mktemp("world")
    generate(root, clients=1, seed=4, psa="autotask", today=date(2024, 6, 15))
    world = json.loads((root / WORLD_REL).read_text("utf-8"))
    check, precise = compiled(world_schema()), Draft202012Validator(world_schema())
    assert _never_more_lenient(check, precise, world)  # the generated world passes both
    return world, check, precise


@PROPERTY
@given(st.data())
def test_the_compiled_world_check_never_accepts_what_jsonschema_refuses(
    world_checks: tuple[Any, Any, Any], data: st.DataObject
) -> None:
    world, check, precise = world_checks
    _never_more_lenient(check, precise, _mutated(world, data))


def test_a_schema_draft_07_reads_otherwise_is_left_to_jsonschema() -> None:
    assert quick_check("settings") is None  # unevaluatedProperties, format
    number = {"$defs": {"n": {"type": "integer"}}}
    assert compiled({**number, "properties": {"a": {"$ref": "#/$defs/n", "minimum": 3}}}) is None
    assert compiled({"properties": {"a": {"$ref": "https://example.com/n.json"}}}) is None
    assert compiled({"items": [{"type": "integer"}]}) is None
    assert compiled({"properties": {"a": {"$id": "#a", "type": "integer"}}}) is None
    assert compiled({**number, "properties": {"a": {"$ref": "#/$defs/n"}}}) is not None


def test_compiling_leaves_the_loaded_schema_as_it_was() -> None:
    """`ncesync schema` prints the loaded schema, and jsonschema validates with it."""
    quick_check.cache_clear()
    assert quick_check("client") is not None
    on_disk = json.loads((ROOT / "schemas" / "client.schema.json").read_text("utf-8"))
    assert load_schema("client") == on_disk


@pytest.mark.parametrize("name", schema_names())
def test_every_shipped_schema_is_valid_against_its_metaschema(name: str) -> None:
    """Processes no longer check the schemas they load; this does, once."""
    schema = load_schema(name)
    validator_for(schema).check_schema(schema)
    assert schema.get("$schema"), f"{name}: the schema names its draft"


def test_a_few_documents_are_left_to_jsonschema_and_many_are_compiled_once() -> None:
    compiles: list[int] = []

    def compile_client() -> Any:
        compiles.append(1)
        return quick_check("client")

    check = SchemaCheck(compile_client, compile_after=3)
    doc = _spec(EXAMPLES["client"][0])
    assert [check.quickly_valid(doc), check.quickly_valid(doc)] == [False, False]  # jsonschema decides
    assert compiles == []
    assert [check.quickly_valid(doc) for _ in range(5)] == [True] * 5
    assert compiles == [1]
    broken = {**doc, "unknown_setting": 1}
    assert not check.quickly_valid(broken)  # refused: jsonschema words the problem


def test_loading_a_small_deployment_compiles_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A run on a handful of client files and a small world is quicker without compiling."""
    import providers.sandbox.world as world_module
    import reconciler.specs.schema as schema_module
    from reconciler.specs import load_deployment

    calls: list[Any] = []
    monkeypatch.setattr(schema_module, "compiled", lambda schema: calls.append(schema))
    monkeypatch.setattr(world_module, "compiled", lambda schema: calls.append(schema))
    monkeypatch.setattr(world_module, "_QUICK", SchemaCheck(lambda: world_module.compiled(world_schema()),
                                                           compile_after=world_module.WORLD_TEXT_BEFORE_COMPILING))  # fmt: skip
    schema_module.spec_check.cache_clear()
    try:
        generate(tmp_path, clients=4, seed=2, psa="connectwise", today=date(2024, 6, 15))
        load_deployment(tmp_path)
        assert calls == []
        big = world_module.WORLD_TEXT_BEFORE_COMPILING
        world_module.validate_world(json.loads((tmp_path / WORLD_REL).read_text("utf-8")), size=big)
        assert calls == [world_schema()]  # a world of half a megabyte compiles the schema
    finally:
        schema_module.spec_check.cache_clear()
