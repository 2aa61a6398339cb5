"""The cassettes themselves: no credentials, and every body has the vendor's documented shape."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jsonschema
import pytest
import yaml

from tests.providers.autotask.conftest import AUTH_HEADERS, CREDENTIALS
from tests.sandbox.api_spec import autotask

CASSETTES = sorted((Path(__file__).parent / "cassettes").glob("*.yaml"))
# Autotask's error envelope (not in the swagger, which documents only 200/401/403 models)
ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "additionalProperties": False,
    "properties": {"errors": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
}


def interactions() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in CASSETTES:  # read at collection, by every worker: libyaml's loader
        for i, item in enumerate(yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["interactions"]):
            found.append((f"{path.stem}#{i}", item))
    return found


def swagger_path(method: str, url: str) -> str:
    """`/V1.0/Contracts/{parentId}/Services` for a request URL (case-insensitive, as Autotask);
    a `query/next` page answers what its query answers."""
    path = re.split(r"(?i)/v1\.0", urlsplit(url).path, maxsplit=1)[1]
    path = re.sub(r"/query/next$", "/query", path)
    for template, operations in autotask().doc["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template[len("/V1.0") :]))
        if method.lower() in operations and re.fullmatch(pattern, path, re.IGNORECASE):
            return template
    raise AssertionError(f"{method} {path} is not a documented Autotask endpoint")


def test_there_are_cassettes():
    assert len(CASSETTES) >= 10


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.name)
def test_no_credentials_in_cassettes(cassette):
    text = cassette.read_text()
    for value in CREDENTIALS.values():
        assert value not in text
        assert quote(value, safe="") not in text  # e.g. the user name in a query string
    for name in AUTH_HEADERS:
        assert not re.search(rf"(?im)^\s*{name}\s*:", text), name
    for interaction in yaml.safe_load(text)["interactions"]:
        names = {n.lower() for n in interaction["request"]["headers"]}
        assert not names & {n.lower() for n in AUTH_HEADERS}


@pytest.mark.parametrize(("name", "interaction"), interactions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_response_body_has_the_documented_shape(name, interaction):
    request, response = interaction["request"], interaction["response"]
    status = response["status"]["code"]
    body = json.loads(response["body"]["string"])
    if status >= 400:
        jsonschema.validate(body, ERROR_SCHEMA)
        return
    autotask().validate(body, swagger_path(request["method"], request["uri"]), request["method"], status)


def test_the_validator_catches_a_wrong_body():
    bad = {"items": [{"id": 7001, "contractType": "Recurring", "units": 3}], "pageDetails": {}}
    with pytest.raises(jsonschema.ValidationError):
        autotask().validate(bad, "/V1.0/Contracts/query", "post")
    with pytest.raises(AssertionError):
        swagger_path("POST", "https://x/atservicesrest/v1.0/ContractServiceUnits")
