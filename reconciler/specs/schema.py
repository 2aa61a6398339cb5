"""The JSON Schemas in schemas/ (installed as reconciler.schemas) and validation against them.

A deployment of 5,000 clients validates 5,000 client files: jsonschema took most of the time
specs take to load. A schema that only uses keywords draft-07 reads as 2020-12 does (no
`$ref` beside other checks, no `unevaluated*`, no `format`) can also be compiled to Python
(fastjsonschema), which says "valid" about fifteen times quicker; only a document it refuses
is walked by jsonschema, the schema's own draft, which finds and words every problem. A
schema outside that subset (settings) is validated by jsonschema alone.

Compiling is not free: it costs as much as jsonschema checking about a hundred client files
(or half a megabyte of sandbox world), and most runs check a handful. So a `SchemaCheck`
compiles only once the documents it has checked reach that volume.

The schemas themselves are package data, checked against their metaschema by the tests
(tests/specs/test_quick_schema_check.py), not again by every process that loads them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, cast

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reconciler.errors import Problem
from reconciler.specs.yamlfile import YamlDocument, escape

SCHEMA_PACKAGE = "reconciler.schemas"
SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    files = resources.files(SCHEMA_PACKAGE).iterdir()
    return sorted(f.name[: -len(SUFFIX)] for f in files if f.name.endswith(SUFFIX))


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = resources.files(SCHEMA_PACKAGE).joinpath(f"{name}{SUFFIX}")
    if not path.is_file():
        raise KeyError(f"no schema named {name!r}; known: {', '.join(schema_names())}")
    # A JSON Schema document is an object (each in schemas/ is, and `validator` checks it).
    return cast("dict[str, Any]", json.loads(path.read_text(encoding="utf-8")))


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


# Keywords both drafts read alike; a schema using any other is not compiled.
_SHARED_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "title", "description", "$comment", "type", "enum",
        "const", "properties", "additionalProperties", "patternProperties", "propertyNames",
        "required", "items", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength",
        "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "oneOf",
        "anyOf", "allOf", "not",
    }
)  # fmt: skip
_NAMED = ("properties", "patternProperties", "$defs")  # their keys are names, not keywords
_VALUES = ("enum", "const", "required", "description", "title", "$comment")  # data, not schemas


@cache
def quick_check(name: str) -> Callable[[Any], Any] | None:
    """The schema `name` compiled to Python, or None (see `compiled`)."""
    return compiled(load_schema(name))


SPEC_FILES_BEFORE_COMPILING = 100  # compiling the client schema costs what jsonschema takes for ~90 files


class SchemaCheck:
    """Says quickly that a document is valid, when it pays to: jsonschema alone decides until
    the documents checked add up to `compile_after` (in the caller's unit: files, characters),
    then the schema is compiled (`compile()`, None when it cannot be) and its verdict "valid"
    is taken. `quickly_valid` False means "not known yet": the caller asks jsonschema, which
    decides and words the problems. Both validators agree on every valid document, so which
    one answered changes the time taken, never the outcome."""

    def __init__(self, compile: Callable[[], Callable[[Any], Any] | None], *, compile_after: int):
        self._compile = compile
        self._compile_after = compile_after
        self._checked = 0
        self._fast: Callable[[Any], Any] | None = None
        self._compiled = False

    def quickly_valid(self, document: Any, weight: int = 1) -> bool:
        self._checked += weight
        if not self._compiled and self._checked >= self._compile_after:
            self._fast, self._compiled = self._compile(), True
        return quick_accepts(self._fast, document)


@cache
def spec_check(name: str) -> SchemaCheck:
    """The quick check of spec files against schema `name`, one per process."""
    return SchemaCheck(lambda: quick_check(name), compile_after=SPEC_FILES_BEFORE_COMPILING)


def compiled(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """`schema` compiled to Python (raises fastjsonschema.JsonSchemaException on an invalid
    document), or None when it uses what draft-07 reads otherwise than 2020-12. Compiled
    from a copy: fastjsonschema rewrites the `$ref`s of the schema it is given."""
    if not _shared_subset(schema):
        return None
    return cast("Callable[[Any], Any]", fastjsonschema.compile(copy.deepcopy(schema)))


def quick_accepts(check: Callable[[Any], Any] | None, document: Any) -> bool:
    """True when the compiled `check` finds `document` valid; False when there is none or it
    refuses (then jsonschema decides, and words every problem)."""
    if check is None:
        return False
    try:
        check(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _shared_subset(node: Any, named: bool = False) -> bool:
    if isinstance(node, list):
        return all(_shared_subset(item) for item in node)
    if not isinstance(node, dict):
        return True
    if named:
        return all(_shared_subset(value) for value in node.values())
    if not set(node) <= _SHARED_KEYWORDS:
        return False
    ref = node.get("$ref")
    if ref is not None and (set(node) - {"$ref", "description", "title"} or not str(ref).startswith("#")):
        return False  # draft-07 ignores what stands beside a $ref; only local references
    if isinstance(node.get("items"), list) or ("$id" in node and "#" in str(node["$id"])):
        return False  # tuple `items` and fragment ids mean other things in 2020-12
    return all(_shared_subset(value, key in _NAMED) for key, value in node.items() if key not in _VALUES)


def schema_problems(doc: YamlDocument, name: str) -> list[Problem]:
    """Every schema violation of `doc`, each located at the offending key or value."""
    if spec_check(name).quickly_valid(doc.data):
        return []
    problems = []
    for error in validator(name).iter_errors(doc.data):
        for leaf in _leaves(error):
            problems.append(_located(doc, leaf))
    return _unique(problems)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For if/then and allOf, report the specific failures inside, not the wrapper."""
    if error.context and error.validator in ("allOf", "anyOf", "oneOf", "$ref"):
        leaves: list[ValidationError] = []
        for sub in error.context:
            leaves.extend(_leaves(sub))
        return leaves
    return [error]


_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected|\('([^)]*)' (?:was|were) unexpected")


def _located(doc: YamlDocument, error: ValidationError) -> Problem:
    pointer = "".join(f"/{escape(str(p))}" for p in error.absolute_path)
    message = _message(error)
    schema = _subschema(error)
    # additionalProperties only ever fails on an object
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        extras = sorted(set(error.instance) - set(schema.get("properties", {})))
        if extras:
            key_pointer = f"{pointer}/{escape(str(extras[0]))}"
            allowed = ", ".join(sorted(schema.get("properties", {}))) or "none"
            names = ", ".join(repr(e) for e in extras)
            return doc.problem(key_pointer, f"unknown setting {names}; allowed here: {allowed}", key=True)
    if error.validator == "propertyNames":
        return doc.problem(f"{pointer}/{escape(str(error.instance))}", message, key=True)
    return doc.problem(pointer, message)


def _subschema(error: ValidationError) -> Mapping[str, Any]:
    """The schema object whose keyword failed; a `false` schema (no keywords) reads as empty."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _message(error: ValidationError) -> str:
    schema = _subschema(error)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required setting {missing!r}"
    if error.validator == "enum" and isinstance(error.validator_value, list):  # the metaschema: an array
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not one of: {options}"
    if error.validator == "const":
        return f"{error.instance!r} must be {error.validator_value!r}"
    if "env:VARIABLE" in schema.get("description", ""):  # whatever is wrong: never echo the value
        return "a secret must be written as env:VARIABLE; never put the value itself in a spec"
    if error.validator in ("pattern", "not") and schema.get("description"):
        return f"{error.instance!r} is not {schema['description']}"
    if error.validator == "type" and isinstance(error.instance, dict) and error.validator_value == "string":
        return "is a mapping, not text: quote values that end with ':' (YAML reads `a:b:` as a key)"
    if error.validator == "type":
        return f"{error.instance!r} is not of type {error.validator_value}"
    return error.message


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for p in problems:
        if (p.pointer, p.message) not in seen:
            seen.add((p.pointer, p.message))
            result.append(p)
    return result
