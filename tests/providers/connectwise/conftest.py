"""Shared set-up of the ConnectWise provider tests: replayed cassettes and a fake transport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import vcr

from providers.connectwise.client import ConnectWiseClient
from providers.http import RetryPolicy
from tests.providers.conftest import Sleeps
from tests.providers.fake_transport import Answer, FakeTransport

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


@pytest.fixture
def fake_transport() -> Callable[[Answer], FakeTransport]:
    return FakeTransport
