"""The vendors' own OpenAPI documents (the copies under tests/fixtures/api-specs), compiled
once into operation lookups and response validators.

ConnectWise and Xero are OpenAPI 3.0 (`nullable` becomes a JSON-Schema null type). Autotask is
Swagger 2.0, which cannot say "nullable" while the live API returns null for every unset
field (scalars and references alike), so every property accepts null there. With
`strict=True` an object whose schema lists its properties refuses any other member: the
sandbox cannot invent fields. A bare `{"type": "object"}` is .NET's System.Object in both
documents (a custom field's `value`, Autotask's `Object`): any JSON value.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "api-specs"
CONNECTWISE = SPECS / "connectwise-manage-2026.4-subset-agreements-catalog-companies.json"
AUTOTASK = SPECS / "autotask-rest-v1.0-subset-contracts-services.json"
XERO = SPECS / "xero-accounting-16.1.0-subset.json"
XERO_IDENTITY = SPECS / "xero-identity-16.1.0-connections.json"
_SCALARS = {"string", "number", "integer", "boolean"}


@dataclass(frozen=True)
class Operation:
    """One documented method on one documented path."""

    path: str  # as the document writes it, e.g. /finance/agreements/{parentId}/additions
    method: str  # lower case
    spec: dict[str, Any] = field(repr=False, compare=False)
    shared: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)  # the path's own

    def parameters(self, where: str) -> dict[str, dict[str, Any]]:
        """Documented parameters `in` query/header/path, by name: the path's and the method's,
        `$ref`s to the document's shared parameters resolved (Xero writes them so)."""
        found = [*self.shared, *self.spec.get("parameters", [])]
        return {p["name"]: p for p in found if p.get("in") == where}

    def statuses(self) -> set[int]:
        return {int(s) for s in self.spec.get("responses", {}) if s.isdigit()}


class Document:
    """One vendor document: find the operation of a request, validate a response body."""

    def __init__(self, path: Path, *, ignore_case: bool):
        self.doc = json.loads(path.read_text("utf-8"))
        self.openapi = "openapi" in self.doc
        self.ignore_case = ignore_case
        flags = re.IGNORECASE if ignore_case else 0
        routes = []
        for template, operations in self.doc["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
            # literal paths win over templates (/companies/count before /companies/{id})
            routes.append((template.count("{"), template, re.compile(f"^{pattern}/?$", flags), operations))
        self._routes = sorted(routes, key=lambda r: (r[0], r[1]))
        self._shared = "components" if self.openapi else "definitions"

    def path_of(self, path: str) -> str | None:
        """The documented path template a request path falls under (any method)."""
        for _, template, regex, _ in self._routes:
            if regex.match(path):
                return template
        return None

    def operation(self, method: str, path: str) -> Operation | None:
        for _, template, regex, operations in self._routes:
            if regex.match(path) and method.lower() in operations:
                shared = [self._resolved(p) for p in operations.get("parameters", [])]
                spec = dict(operations[method.lower()])
                spec["parameters"] = [self._resolved(p) for p in spec.get("parameters", [])]
                return Operation(template, method.lower(), spec, shared)
        return None

    def _resolved(self, parameter: dict[str, Any]) -> dict[str, Any]:
        ref = parameter.get("$ref")
        if not isinstance(ref, str):
            return parameter
        node: Any = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)

    def media_types(self, operation: Operation, status: int) -> list[str]:
        response = operation.spec["responses"].get(str(status), {})
        if self.openapi:
            return list(response.get("content", {}))
        return list(operation.spec.get("produces", []))

    def response_schema(self, operation: Operation, status: int) -> dict[str, Any] | None:
        response = operation.spec["responses"].get(str(status))
        if response is None:
            return None
        if self.openapi:
            content = response.get("content") or {}
            return next(iter(content.values()))["schema"] if content else None
        return response.get("schema")

    def schema(self, pointer: str) -> dict[str, Any]:
        """A shared schema by name (`Addition`, `ContractModel`)."""
        return {"$ref": f"#/{self._shared}/{'schemas/' if self.openapi else ''}{pointer}"}

    def validator(self, schema: dict[str, Any], *, strict: bool = True, partial: bool = False) -> Validator:
        """`partial`: the request selected members (ConnectWise `fields`, Autotask
        `includeFields`), so the answer may lack members the schema requires."""
        return _validator(self, json.dumps(schema, sort_keys=True), strict, partial)

    def root(self, schema: dict[str, Any], *, strict: bool, partial: bool = False) -> dict[str, Any]:
        """A self-contained JSON Schema (draft 4) of `schema` with the shared definitions it
        reaches (the others would only cost time to copy and compile)."""
        body = copy.deepcopy(schema)
        _adapt(body, swagger=not self.openapi, strict=strict, partial=partial)
        definitions = self._adapted(strict, partial)
        prefix = f"#/{self._shared}/{'schemas/' if self.openapi else ''}"
        names: set[str] = set()
        todo = _refs(body)
        while todo:
            ref = todo.pop()
            name = ref[len(prefix) :] if ref.startswith(prefix) else None
            if name is not None and name in definitions and name not in names:
                names.add(name)
                todo |= _refs(definitions[name])
        reached = {name: copy.deepcopy(definitions[name]) for name in names}
        shared: dict[str, Any] = {"schemas": reached} if self.openapi else reached
        if not self.openapi:
            # Swagger's `Object` is .NET's System.Object: any JSON value (itemId is a number).
            shared["Object"] = {}
        return {self._shared: shared, "allOf": [body]}

    @cache  # noqa: B019 (a Document lives as long as the process: one per vendor, cached below)
    def _adapted(self, strict: bool, partial: bool) -> dict[str, Any]:
        """The document's shared schemas by name, adapted once per way of reading them."""
        definitions = copy.deepcopy(self.doc[self._shared])
        if self.openapi:
            definitions = definitions.get("schemas", {})
        _adapt(definitions, swagger=not self.openapi, strict=strict, partial=partial)
        return definitions


def _refs(node: Any) -> set[str]:
    """Every `$ref` written anywhere in `node`."""
    if isinstance(node, list):
        return {ref for item in node for ref in _refs(item)}
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
    return found | {ref for value in node.values() for ref in _refs(value)}


class Validator:
    """A compiled schema: fast when the body is valid; the precise reason when it is not.

    Neither engine checks `format` (jsonschema does not by default; the fast one is given
    the schema without it), so the two agree on what is valid and the precise one only
    runs to explain a real problem."""

    def __init__(self, root: dict[str, Any]):
        self._fast: Callable[[Any], Any] = fastjsonschema.compile(_without_formats(root))
        self._root = root

    def problem(self, body: Any) -> str | None:
        try:
            self._fast(body)
            return None
        except fastjsonschema.JsonSchemaException:
            error = best_match(Draft4Validator(self._root).iter_errors(body))
            if error is None:  # the two engines disagree: trust the precise one
                return None
            where = "/".join(str(p) for p in error.absolute_path) or "(body)"
            return f"{where}: {error.message[:300]}"


def _without_formats(node: Any) -> Any:
    """A copy without `format` annotations (a property named "format" is a schema, kept)."""
    if isinstance(node, list):
        return [_without_formats(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {k: _without_formats(v) for k, v in node.items() if not (k == "format" and isinstance(v, str))}


@cache
def _validator(document: Document, schema_text: str, strict: bool, partial: bool) -> Validator:
    return Validator(document.root(json.loads(schema_text), strict=strict, partial=partial))


def _adapt(node: Any, *, swagger: bool, strict: bool, partial: bool = False) -> None:
    if isinstance(node, list):
        for item in node:
            _adapt(item, swagger=swagger, strict=strict, partial=partial)
        return
    if not isinstance(node, dict):
        return
    if partial and isinstance(node.get("required"), list):
        del node["required"]
    kind = node.get("type")
    if kind == "object" and "properties" not in node and "additionalProperties" not in node:
        # .NET's System.Object (a custom field `value`): any JSON value, as the live API sends
        del node["type"]
        kind = None
    if isinstance(kind, str) and (node.get("nullable") or (swagger and kind in _SCALARS | {"array"})):
        node["type"] = [kind, "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    # a schema listing properties without a type (Xero writes some so) is an object all the same
    if (
        strict
        and kind in ("object", None)
        and isinstance(node.get("properties"), dict)
        and "additionalProperties" not in node
    ):
        node["additionalProperties"] = False
    properties = node.get("properties")
    if swagger and isinstance(properties, dict):
        for name, prop in list(properties.items()):
            if isinstance(prop, dict) and "$ref" in prop:  # a reference can be null too
                properties[name] = {"anyOf": [{"type": "null"}, prop]}
    for value in list(node.values()):
        _adapt(value, swagger=swagger, strict=strict, partial=partial)


@cache
def connectwise() -> Document:
    return Document(CONNECTWISE, ignore_case=False)


@cache
def autotask() -> Document:
    return Document(AUTOTASK, ignore_case=True)


@cache
def xero() -> Document:
    return Document(XERO, ignore_case=True)


@cache
def xero_identity() -> Document:
    return Document(XERO_IDENTITY, ignore_case=True)
