"""Validate a response body against the vendor's own OpenAPI document (a copied subset).

ConnectWise is OpenAPI 3.0 (`nullable` becomes a JSON-Schema null type); Autotask is
Swagger 2.0, which cannot say "nullable", while the live API returns null for unset fields:
scalar properties accept null there. `strict=True` also refuses members the vendor's schema
does not define, so the sandbox cannot invent fields.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "api-specs"
CONNECTWISE = SPECS / "connectwise-manage-2026.4-subset-agreements-catalog-companies.json"
AUTOTASK = SPECS / "autotask-rest-v1.0-subset-contracts-services.json"
_SCALARS = {"string", "number", "integer", "boolean"}


class ApiSpec:
    def __init__(self, path: Path):
        self.doc = json.loads(path.read_text("utf-8"))
        self.openapi = "openapi" in self.doc

    def schema_for(self, path: str, method: str, status: int) -> dict[str, Any]:
        response = self.doc["paths"][path][method.lower()]["responses"][str(status)]
        if self.openapi:
            return next(iter(response["content"].values()))["schema"]
        return response["schema"]

    def validate(self, body: Any, path: str, method: str = "get", status: int = 200, *,
                 strict: bool = True) -> None:
        """Raise jsonschema.ValidationError when `body` does not fit the documented response."""
        Draft4Validator(self._root(path, method, status, strict)).validate(body)

    def _root(self, path: str, method: str, status: int, strict: bool) -> dict[str, Any]:
        shared = "components" if self.openapi else "definitions"
        root = {shared: copy.deepcopy(self.doc[shared]), "allOf": [copy.deepcopy(self.schema_for(path, method, status))]}
        _adapt(root, swagger=not self.openapi, strict=strict)
        if not self.openapi:
            # Swagger's `Object` is .NET's System.Object: any JSON value (itemId is a number).
            root["definitions"]["Object"] = {}
        return root


def _adapt(node: Any, *, swagger: bool, strict: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _adapt(item, swagger=swagger, strict=strict)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if isinstance(kind, str) and (node.get("nullable") or (swagger and kind in _SCALARS)):
        node["type"] = [kind, "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    if strict and kind == "object" and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for value in list(node.values()):
        _adapt(value, swagger=swagger, strict=strict)


@lru_cache(maxsize=None)
def connectwise() -> ApiSpec:
    return ApiSpec(CONNECTWISE)


@lru_cache(maxsize=None)
def autotask() -> ApiSpec:
    return ApiSpec(AUTOTASK)
