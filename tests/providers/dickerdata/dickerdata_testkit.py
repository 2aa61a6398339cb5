"""Test kit for the Dicker Data tests: cassette filters and matchers, a clock, a fake transport.

Cassettes never hold a real token, key or transaction id: `scrub_request`/`scrub_response`
replace them by placeholders by *position* (the fields that carry credentials), both when
a cassette is recorded and, in the matchers, before a live request is compared with a
recorded one. So a request matches only when it carries its credentials in exactly the
place the cassette shows, and a recorded cassette can never leak them.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import vcr

from providers.transport import Request, Response

CASSETTES = Path(__file__).parent / "cassettes"
FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://b2b-api.dickerdata.com.au"
ACCOUNT = "ACC40017"
TOKEN = "fixture-token-8c1f4e2a9b7d"  # what the tests hand the client; never in a cassette
KEY = "<ACCESS_KEY>"
TXID = "<TXID>"
TOKEN_PLACEHOLDER = "<ACCESS_TOKEN>"
QUERY_AUTH = "request.requestHeader."
NOW = datetime(2024, 6, 15, 1, 0, tzinfo=timezone.utc)


def _txid(value: object) -> str:
    if value == TXID:
        return TXID  # already scrubbed: a recorded request
    try:
        uuid.UUID(str(value))
    except ValueError:
        return f"<not a uuid: {value}>"
    return TXID


def _scrub_json(data: object) -> object:
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if "AccessToken" in data:
        data["AccessToken"] = TOKEN_PLACEHOLDER
    if "TransactionID" in data:
        data["TransactionID"] = _txid(data["TransactionID"])
    if "AccessKey" in data:
        data["AccessKey"] = KEY
    if isinstance(data.get("RequestHeader"), dict):
        header = dict(data["RequestHeader"])
        header.update(TransactionID=_txid(header.get("TransactionID")), Token=TOKEN_PLACEHOLDER, AccessKey=KEY)
        data["RequestHeader"] = header
    return data


def _scrub_query(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    placeholders = {"transactionID": None, "token": TOKEN_PLACEHOLDER, "accessKey": KEY}
    result = []
    for name, value in pairs:
        if name.startswith(QUERY_AUTH):
            field = name[len(QUERY_AUTH) :]
            value = _txid(value) if field == "transactionID" else placeholders.get(field, "<?>")
        result.append((name, value))
    return sorted(result)


def _json_body(body: object) -> object:
    if not body:
        return None
    text = body.decode() if isinstance(body, bytes) else str(body)
    try:
        return json.loads(text)
    except ValueError:
        return text


def scrub_request(request):
    """vcrpy `before_record_request`: credentials in body, query and headers replaced."""
    parsed = _json_body(request.body)
    if isinstance(parsed, dict):
        request.body = json.dumps(_scrub_json(parsed))
    parts = urlsplit(request.uri)
    query = urlencode(_scrub_query(parse_qsl(parts.query)))
    request.uri = urlunsplit(parts._replace(query=query))
    if "Authorization" in request.headers:
        request.headers["Authorization"] = f"Bearer {KEY}"
    if "DD-TransactionID" in request.headers:
        request.headers["DD-TransactionID"] = _txid(request.headers["DD-TransactionID"])
    return request


def scrub_response(response):
    """vcrpy `before_record_response`: the granted access key replaced."""
    body = response["body"]["string"]
    parsed = _json_body(body)
    if isinstance(parsed, dict) and "AccessKey" in parsed:
        response["body"]["string"] = json.dumps(_scrub_json(parsed)).encode()
    return response


def dd_body(r1, r2):
    assert _scrub_json(_json_body(r1.body)) == _scrub_json(_json_body(r2.body)), "bodies differ"


def dd_query(r1, r2):
    assert _scrub_query(r1.query) == _scrub_query(r2.query), f"{r1.query} != {r2.query}"


def dd_auth_headers(r1, r2):
    def auth(r):
        h = r.headers
        bearer = h.get("Authorization")
        return (
            None if bearer is None else f"Bearer {KEY}" if bearer.startswith("Bearer ") else bearer,
            None if h.get("DD-TransactionID") is None else _txid(h.get("DD-TransactionID")),
            h.get("DD-ApiVersion"),
        )

    assert auth(r1) == auth(r2), f"auth headers differ: {auth(r1)} != {auth(r2)}"


def make_vcr(cassette_dir: Path = CASSETTES, record_mode: str = "none") -> vcr.VCR:
    recorder = vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=record_mode,
        match_on=["method", "scheme", "host", "port", "path", "dd_query", "dd_body", "dd_auth_headers"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("dd_body", dd_body)
    recorder.register_matcher("dd_query", dd_query)
    recorder.register_matcher("dd_auth_headers", dd_auth_headers)
    return recorder


class Clock:
    """A settable clock: key expiry is tested without waiting."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class QueuedTransport:
    """A Transport (providers/transport.py) that answers from a queue and keeps every
    request sent, read back as {method, url, json, params, headers}."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self._answers: list[Response] = []

    def answer(self, status: int, payload: object, content_type: str = "application/json") -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self._answers.append(Response.of(status, text.encode(), {"Content-Type": content_type}))

    def send(self, request: Request, timeout: tuple[float, float]) -> Response:
        url, _, query = request.url.partition("?")
        self.sent.append(
            {
                "method": request.method,
                "url": url,
                "json": request.json() if request.body else None,
                "params": dict(parse_qsl(query)) or None,
                "headers": dict(request.headers),
            }
        )
        if not self._answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        return self._answers.pop(0)
