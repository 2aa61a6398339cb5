"""Validate a response body against the vendor's own OpenAPI document (a copied subset).

A thin front of tests/contract/openapi.py for tests that check one body by its documented
path: `connectwise().validate(body, "/finance/agreements/{id}")`. `strict=True` (the
default) also refuses members the vendor's schema does not define.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema.exceptions import ValidationError

from tests.contract import openapi


class ApiSpec:
    def __init__(self, document: openapi.Document):
        self.document = document
        self.doc = document.doc

    def validate(self, body: Any, path: str, method: str = "get", status: int = 200, *, strict: bool = True) -> None:
        """Raise jsonschema.ValidationError when `body` does not fit the documented response."""
        operation = openapi.Operation(path, method.lower(), self.doc["paths"][path][method.lower()])
        schema = self.document.response_schema(operation, status)
        if schema is None:
            raise ValidationError(f"{method.upper()} {path} documents no {status} body")
        problem = self.document.validator(schema, strict=strict).problem(body)
        if problem:
            raise ValidationError(problem)


@cache
def connectwise() -> ApiSpec:
    return ApiSpec(openapi.connectwise())


@cache
def autotask() -> ApiSpec:
    return ApiSpec(openapi.autotask())
