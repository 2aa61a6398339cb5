"""Shared set-up of the ConnectWise provider tests: replayed cassettes and a fake transport."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
from requests.adapters import HTTPAdapter

from providers.connectwise.client import ConnectWiseClient
from providers.http import RetryPolicy
from tests.providers.conftest import Sleeps

CASSETTES = Path(__file__).parent / "cassettes"
SITE = "https://api-na.myconnectwise.net"
BASE = f"{SITE}/v4_6_release/apis/3.0"
CREDENTIALS = {
    "company_id": "contoso",
    "public_key": "PubKey7Hq2",
    "private_key": "PrivKey9Zx4",
    "client_id": "3f1c2a9e-0000-4000-8000-00000000c11d",
}


@pytest.fixture
def cw_vcr() -> vcr.VCR:
    """Replay only: a request missing from the cassette fails the test. Writes match on body."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="none",
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        filter_headers=["authorization", "clientId"],
        decode_compressed_response=True,
    )


@pytest.fixture
def make_client(sleeps: Sleeps) -> Callable[..., ConnectWiseClient]:
    def build(**overrides: Any) -> ConnectWiseClient:
        options: dict[str, Any] = {
            **CREDENTIALS,
            "sleep": sleeps,
            "retry": RetryPolicy(attempts=3, backoff=0.5),
            "timeout": (3.0, 20.0),
        }
        options.update(overrides)
        return ConnectWiseClient(SITE, **options)

    return build


class FakeTransport(HTTPAdapter):
    """Answers from a function instead of the network, and keeps what was sent.

    `answer(request)` returns (status, body, headers) or raises a requests exception."""

    def __init__(self, answer: Callable[[requests.PreparedRequest], tuple[int, Any, dict[str, str]]]):
        super().__init__()
        self.answer = answer
        self.sent: list[requests.PreparedRequest] = []
        self.timeouts: list[Any] = []
        self._lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self._lock:
            self.sent.append(request)
            self.timeouts.append(kwargs.get("timeout"))
        status, body, headers = self.answer(request)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
        response.headers.update({"Content-Type": "application/json", **headers})
        response.url = request.url or ""
        response.request = request
        return response


@pytest.fixture
def fake_session() -> Callable[..., tuple[requests.Session, FakeTransport]]:
    def build(answer: Callable[..., tuple[int, Any, dict[str, str]]]) -> tuple[requests.Session, FakeTransport]:
        session = requests.Session()
        transport = FakeTransport(answer)
        session.mount("https://", transport)
        session.mount("http://", transport)
        return session, transport

    return build
