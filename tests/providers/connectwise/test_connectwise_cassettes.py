"""The cassettes themselves: no credentials, and every body has the vendor's documented shape."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

CASSETTES = sorted((Path(__file__).parent / "cassettes").glob("*.yaml"))
SPEC = (
    Path(__file__).parents[2] / "fixtures/api-specs/connectwise-manage-2026.4-subset-agreements-catalog-companies.json"
)
API_ROOT = "/v4_6_release/apis/3.0"
# ErrorResponseMessage / ValidationError of the full ConnectWise spec (the GET-only subset we
# keep dropped them): {code, message, errors[{code, message, resource, field, details}]}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {k: {"type": "string"} for k in ("code", "message", "resource", "field")},
            },
        },
    },
}
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


def interactions() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path in CASSETTES:  # read at collection, by every worker: libyaml's loader
        for i, item in enumerate(yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["interactions"]):
            found.append((f"{path.name}#{i}", i, item))
    return found


def test_there_are_cassettes():
    assert len(CASSETTES) >= 10


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.name)
def test_no_credentials_in_cassettes(cassette):
    text = cassette.read_text()
    assert not re.search(r"(?i)^\s*(authorization|clientid)\s*:", text, re.M)
    assert not re.search(r"Basic [A-Za-z0-9+/]{8,}={0,2}", text)  # a base64 user:password
    for interaction in yaml.safe_load(text)["interactions"]:
        names = {name.lower() for name in interaction["request"]["headers"]}
        assert not names & {"authorization", "clientid"}


@pytest.mark.parametrize(
    ("name", "index", "interaction"), interactions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_response_body_has_the_documented_shape(name, index, interaction):
    request, response = interaction["request"], interaction["response"]
    status = response["status"]["code"]
    body = json.loads(response["body"]["string"])
    schema = schema_for(request["method"], urlsplit(request["uri"]).path, status)
    errors = sorted(validator(json.dumps(schema)).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_the_validator_catches_a_wrong_body():
    schema = schema_for("GET", f"{API_ROOT}/finance/agreements/1/additions", 200)
    bad = [{"id": 1, "product": {"id": 7}, "billCustomer": "Sometimes", "quantity": "12"}]
    assert len(list(validator(json.dumps(schema)).iter_errors(bad))) == 2


# -- helpers ------------------------------------------------------------------------------


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text())


def schema_for(method: str, url_path: str, status: int) -> dict[str, Any]:
    """The response schema the vendor documents for this call."""
    if status >= 400:
        return ERROR_SCHEMA
    path = url_path.split(API_ROOT, 1)[1]
    template = spec_path(path)
    if method == "GET":
        content = spec()["paths"][template]["get"]["responses"][str(status)]["content"]
        return next(iter(content.values()))["schema"]
    # POST/PATCH of an addition answer the Addition record (write operations are not in the
    # GET-only subset; their response model is the same Addition schema)
    assert template.startswith("/finance/agreements/{parentId}/additions"), template
    return {"$ref": "#/components/schemas/Addition"}


def spec_path(path: str) -> str:
    literal = [p for p in spec()["paths"] if p == path]
    if literal:
        return literal[0]
    for template in spec()["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", r"[^/]+", template), path):
            return template
    raise AssertionError(f"{path} is not a documented ConnectWise endpoint")


@cache
def validator(schema_json: str) -> Draft202012Validator:
    root = {**json.loads(schema_json), "components": json_schema(spec()["components"])}
    return Draft202012Validator(root, format_checker=FORMATS)


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` as JSON Schema `type: [t, "null"]`."""
    if isinstance(node, list):
        return [json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out
