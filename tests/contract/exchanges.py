"""Every answer the sandbox gives while the suite runs, checked against the vendor's document.

`Recorder` wraps `SandboxServer.handle` (tests/conftest.py installs it for the whole suite)
and keeps each request with the answer as sent (`Sent`). `problems(exchange)` says what in one exchange the
vendor's OpenAPI document does not allow:

* a successful answer (< 400) to a path, method or query parameter the document lacks, or
  to a request without a header the document requires;
* a status, media type or body other than the document's for that operation;
* an error answer whose body is not the vendor's error envelope.

What the documents cannot judge is listed in EXEMPTIONS, each with the reason; the same ids
and reasons are in the table of docs/sandbox.md (a test keeps the two in step).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.contract import openapi

CW_MEDIA = "application/vnd.connectwise.com+json; version=2026.4"


@dataclass(frozen=True)
class Exemption:
    id: str
    what: str
    reason: str


EXEMPTIONS = (
    Exemption(
        "dickerdata",
        "every Dicker Data answer",
        "Dicker Data publishes no API document; its emulation follows third-party clients",
    ),
    Exemption(
        "injected-malformed",
        "answers shaped by a `malformed` fault",
        "they are broken on purpose (an HTML page, a missing field) to test the providers",
    ),
    Exemption(
        "cw-writes",
        "ConnectWise POST/PATCH of additions",
        "the kept 2026.4 document is GET-only; the answer body is checked against its "
        "`Addition` schema, status and parameters are not",
    ),
    Exemption(
        "cw-companyinfo",
        "ConnectWise GET /login/companyinfo/{company}",
        "outside apis/3.0 and undocumented; the body is checked for `Codebase` and "
        "`CompanyID` as community clients read them",
    ),
    Exemption(
        "error-envelopes",
        "error answers (4xx/5xx) of both PSAs",
        "the documents list only success models; the bodies are checked against the "
        "vendors' error envelopes (ConnectWise ErrorResponseMessage, Autotask `errors` "
        "or `Message`) as vendor-apis.md A.7 and B.6 record them",
    ),
    Exemption(
        "at-query-next",
        "Autotask POST {Entity}/query/next?paging=...",
        "Autotask answers nextPageUrl there but the swagger has no such path; the answer "
        "is checked against the {Entity}/query response schema",
    ),
    Exemption(
        "at-zone-headers",
        "Autotask GET zoneInformation without the auth headers",
        "the swagger marks ApiIntegrationCode/UserName/Secret required on it, yet zone "
        "discovery works without credentials on the live API",
    ),
    Exemption(
        "at-item-null",
        'Autotask GET {Entity}/{id} answering {"item": null}',
        "Swagger 2.0 cannot say nullable; the live API answers a missing id this way",
    ),
    Exemption(
        "xero-token",
        "Xero POST /identity/connect/token",
        "the token endpoint is in neither Xero document; the answer is checked against the OAuth 2.0 "
        "token response (RFC 6749 5.1) and its error (5.2)",
    ),
    Exemption(
        "xero-errors",
        "Xero error answers (401, 403, 404, 429, 5xx)",
        "the accounting document describes only the 400 `Error` (with `Elements[].ValidationErrors`); "
        "the others are checked against that `Error` or the problem shape Xero answers them in "
        "(`Title`, `Status`, `Detail`)",
    ),
)

ERROR_SCHEMAS = {
    # ErrorResponseMessage / ValidationError of the full ConnectWise document
    "connectwise": {
        "type": "object",
        "required": ["code", "message"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "errors": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        k: {"type": ["string", "null"]} for k in ("code", "message", "resource", "field", "details")
                    },
                },
            },
        },
    },
    # the document's `Error` (400) or a problem ({Title, Status, Detail}: 401, 403, 404, 429); the
    # identity service's OAuth error ({"error": ...})
    "xero": {
        "oneOf": [
            {
                "type": "object",
                "required": ["Message"],
                "additionalProperties": False,
                "properties": {
                    "ErrorNumber": {"type": "integer"},
                    "Type": {"type": "string"},
                    "Message": {"type": "string"},
                    "Elements": {"type": "array", "items": {"type": "object"}},
                },
            },
            {
                "type": "object",
                "required": ["Title", "Status"],
                "additionalProperties": False,
                "properties": {
                    "Type": {"type": ["string", "null"]},
                    "Title": {"type": "string"},
                    "Status": {"type": "integer"},
                    "Detail": {"type": ["string", "null"]},
                    "Instance": {"type": ["string", "null"]},
                    "Extensions": {"type": "object"},
                },
            },
            {
                "type": "object",
                "required": ["error"],
                "additionalProperties": False,
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            },
        ],
    },
    # {"errors": [...]} on 4xx/5xx; ASP.NET's {"Message": ...} for a method a URL refuses
    "autotask": {
        "oneOf": [
            {
                "type": "object",
                "required": ["errors"],
                "additionalProperties": False,
                "properties": {"errors": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
            },
            {
                "type": "object",
                "required": ["Message"],
                "additionalProperties": False,
                "properties": {"Message": {"type": "string"}},
            },
        ],
    },
}
TOKEN = {  # RFC 6749 5.1
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string", "minLength": 1},
        "token_type": {"enum": ["Bearer"]},
        "expires_in": {"type": "integer", "minimum": 1},
        "scope": {"type": "string"},
    },
}
COMPANY_INFO = {
    "type": "object",
    "required": ["Codebase", "CompanyID"],
    "properties": {"Codebase": {"type": "string", "pattern": "^v[0-9a-z_]+/$"}, "CompanyID": {"type": "string"}},
}


@dataclass(frozen=True)
class Exchange:
    vendor: str | None  # connectwise | autotask | dickerdata | None (no vendor mount)
    method: str
    path: str  # below the vendor's mount, as the vendor's document names paths
    query: dict[str, list[str]]
    headers: dict[str, str]  # request headers, names lower-cased
    status: int
    body: Any  # the decoded JSON answer, or the bytes sent
    content_type: str
    fault: str | None = None

    def label(self) -> str:
        return f"{self.vendor} {self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class Sent:
    """One sandbox request and the answer as it was sent: what a verdict depends on (of the
    request headers, only which ones came: their values are not part of the `digest`)."""

    method: str
    target: str
    headers: dict[str, str]  # names lower-cased
    status: int
    content_type: str
    fault: str | None
    payload: bytes

    def digest(self) -> bytes:
        text = repr((self.method, self.target, sorted(self.headers), self.status, self.content_type, self.fault))
        return hashlib.blake2b(text.encode() + b"\0" + self.payload, digest_size=20).digest()


def sent_of(method: str, target: str, headers: dict[str, str], reply: Any) -> Sent:
    return Sent(
        method,
        target,
        {k.lower(): v for k, v in headers.items()},
        reply.status,
        reply.content_type_header(),
        getattr(reply, "fault", None),
        reply.payload(),
    )


@dataclass
class Recorder:
    """What the sandbox sent while a test ran, and the verdicts on what it sent before: a
    suite sends the same request and gets the same answer many times (a simulation reads
    the same records day after day), and the same exchange always gets the same verdict."""

    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    verdicts: dict[bytes, list[str]] = field(default_factory=dict)

    def add(self, sent: Sent) -> None:
        with self.lock:
            self.sent.append(sent)

    def take(self) -> list[Sent]:
        with self.lock:
            taken, self.sent = self.sent, []
        return taken

    def problems(self) -> list[str]:
        """What the vendors' documents do not allow in the answers sent since the last call,
        each prefixed by the exchange's label."""
        found = []
        for sent in self.take():
            key = sent.digest()
            if key not in self.verdicts:
                exchange = exchange_of(sent)
                self.verdicts[key] = [f"{exchange.label()}: {p}" for p in problems(exchange)]
            found += self.verdicts[key]
        return found


_CW_API = re.compile(r"^/connectwise/[^/]+/apis/3\.0(?=/|$)")
_CW_SITE = re.compile(r"^/connectwise(?=/login/)")
_AT_API = re.compile(r"^/autotask/atservicesrest(?=/)", re.IGNORECASE)
_XERO = re.compile(r"^/xero(?=/)", re.IGNORECASE)


def exchange_of(sent: Sent) -> Exchange:
    """The Exchange of one sandbox request and the answer it got."""
    parts = urlsplit(sent.target)
    vendor, path = None, parts.path
    for name, mount in (
        ("connectwise", _CW_API),
        ("connectwise", _CW_SITE),
        ("autotask", _AT_API),
        ("xero", _XERO),
        ("dickerdata", re.compile(r"^/dickerdata(?=/|$)")),
    ):
        found = mount.match(parts.path)
        if found:
            vendor, path = name, parts.path[found.end() :] or "/"
            break
    body: Any = sent.payload or None  # an empty answer (204) has no body
    if body is not None:
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    return Exchange(
        vendor,
        sent.method,
        path,
        parse_qs(parts.query, keep_blank_values=True),
        sent.headers,
        sent.status,
        body,
        sent.content_type,
        sent.fault,
    )


def problems(exchange: Exchange) -> list[str]:
    if exchange.vendor not in ("connectwise", "autotask", "xero") or exchange.fault == "malformed":
        return []  # exemptions `dickerdata`, `injected-malformed`; no vendor: nothing to judge
    if exchange.status >= 400:
        return _error_problems(exchange)
    if exchange.vendor == "connectwise":
        return _connectwise(exchange)
    if exchange.vendor == "xero":
        return _xero(exchange)
    return _autotask(exchange)


def _xero(exchange: Exchange) -> list[str]:
    """The accounting API under /api.xro/2.0, the identity API's /connections; the token
    endpoint (exemption `xero-token`) against RFC 6749."""
    path = exchange.path
    if path.lower() == "/identity/connect/token":
        problem = _plain_validator("xero", "token").problem(exchange.body)
        return [f"token: {problem}"] if problem else []
    if path.lower().startswith("/api.xro/2.0/"):
        return _documented(openapi.xero(), exchange, path[len("/api.xro/2.0") :], media="application/json")
    return _documented(openapi.xero_identity(), exchange, path, media="application/json")


def _error_problems(exchange: Exchange) -> list[str]:
    if not isinstance(exchange.body, (dict, list)):
        return [f"the error answer is not JSON: {exchange.body!r:.120}"]
    problem = _plain_validator(exchange.vendor or "", "error").problem(exchange.body)
    return [f"the error body is not the vendor's envelope: {problem}"] if problem else []


def _connectwise(exchange: Exchange) -> list[str]:
    doc = openapi.connectwise()
    if exchange.path.startswith("/login/companyinfo/"):  # exemption `cw-companyinfo`
        problem = _plain_validator("connectwise", "companyinfo").problem(exchange.body)
        return [f"companyinfo: {problem}"] if problem else []
    if exchange.method in ("POST", "PATCH") and re.fullmatch(
        r"/finance/agreements/\d+/additions(/\d+)?", exchange.path
    ):
        problem = doc.validator(doc.schema("Addition")).problem(exchange.body)  # exemption `cw-writes`
        return [f"body: {problem}"] if problem else []
    return _documented(doc, exchange, exchange.path, media=CW_MEDIA)


def _autotask(exchange: Exchange) -> list[str]:
    doc = openapi.autotask()
    path = exchange.path
    found: list[str] = []
    if re.search(r"/query/next$", path, re.IGNORECASE):  # exemption `at-query-next`
        path = path[: -len("/next")]
        if "paging" not in exchange.query:
            found.append("a next page without its `paging` token")
        if exchange.method == "GET" and "search" not in exchange.query:
            found.append("a GET on a POST query's next page (Autotask answers 405)")
        if exchange.method == "POST" and "search" in exchange.query:
            found.append("a POST on a GET query's next page")
        query = {k: v for k, v in exchange.query.items() if k != "paging"}
        exchange = Exchange(
            exchange.vendor,
            exchange.method,
            path,
            query,
            exchange.headers,
            exchange.status,
            exchange.body,
            exchange.content_type,
            exchange.fault,
        )
    zone = path.lower() == "/v1.0/zoneinformation"
    return found + _documented(doc, exchange, path, media="application/json", skip_headers=zone)


def _documented(
    doc: openapi.Document, exchange: Exchange, path: str, *, media: str, skip_headers: bool = False
) -> list[str]:
    operation = doc.operation(exchange.method, path)
    if operation is None:
        where = doc.path_of(path)
        if where:
            return [f"{exchange.method} is not documented for {where}"]
        return [f"{path} is not a path of the vendor's document"]
    found = []
    documented = operation.parameters("query")
    for name in sorted(set(exchange.query) - set(documented)):
        found.append(f"query parameter {name!r} is not documented for {operation.path}")
    for name, spec in documented.items():
        if spec.get("required") and name not in exchange.query:
            found.append(f"required query parameter {name!r} is missing")
    if not skip_headers:  # exemption `at-zone-headers`
        for name, spec in operation.parameters("header").items():
            if spec.get("required") and name.lower() not in exchange.headers:
                found.append(f"answered without the required request header {name!r}")
    if exchange.status not in operation.statuses():
        found.append(f"status {exchange.status} is not documented for {exchange.method} {operation.path}")
        return found
    wanted = _media(media)
    if _media(exchange.content_type) != wanted:
        found.append(f"Content-Type {exchange.content_type!r}, the document says {media!r}")
    schema = doc.response_schema(operation, exchange.status)
    if schema is not None:
        if _item_null(doc, exchange, operation):  # exemption `at-item-null`
            return found
        partial = "fields" in exchange.query  # ConnectWise answers only the fields asked for
        problem = doc.validator(schema, partial=partial).problem(exchange.body)
        if problem:
            found.append(f"body: {problem}")
    return found


def _item_null(doc: openapi.Document, exchange: Exchange, operation: openapi.Operation) -> bool:
    return not doc.openapi and exchange.body == {"item": None} and operation.path.rsplit("/", 1)[-1] == "{id}"


def _media(value: str) -> tuple[str, ...]:
    """The media type and its parameters other than charset, lower-cased and sorted."""
    parts = [p.strip().lower().replace(" ", "") for p in value.split(";") if p.strip()]
    return (parts[0], *sorted(p for p in parts[1:] if not p.startswith("charset="))) if parts else ()


_PLAIN: dict[tuple[str, str], openapi.Validator] = {}


def _plain_validator(vendor: str, kind: str) -> openapi.Validator:
    key = (vendor, kind)
    if key not in _PLAIN:
        schema = {"companyinfo": COMPANY_INFO, "token": TOKEN}.get(kind) or ERROR_SCHEMAS[vendor]
        _PLAIN[key] = openapi.Validator(schema)
    return _PLAIN[key]
