"""Shared set-up of the Autotask provider tests: replayed cassettes and a fake transport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vcr

from providers.autotask.budget import RequestBudget
from providers.autotask.client import AutotaskClient
from providers.autotask.provider import AutotaskProvider
from providers.http import RetryPolicy
from tests.providers.conftest import Sleeps
from tests.providers.fake_transport import Answer, FakeTransport

CASSETTES = Path(__file__).parent / "cassettes"
ZONE = "https://webservices5.autotask.net/atservicesrest"
CREDENTIALS = {
    "username": "api-sync@contoso.example",
    "secret": "S3cr3t*Zq8",
    "integration_code": "TRACKINGCODE7X2Q",
}
AUTH_HEADERS = ("ApiIntegrationCode", "UserName", "Secret")


@pytest.fixture
def at_vcr() -> vcr.VCR:
    """Replay only: a request missing from the cassette fails the test. Queries and writes
    differ only by their JSON body, so the body is matched too."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="none",
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        filter_headers=list(AUTH_HEADERS),
        filter_query_parameters=[("user", "API-USER")],  # zone discovery names the API user
        decode_compressed_response=True,
    )


@pytest.fixture
def make_client(sleeps: Sleeps) -> Callable[..., AutotaskClient]:
    def build(**overrides: Any) -> AutotaskClient:
        options: dict[str, Any] = {
            **CREDENTIALS,
            "zone_url": ZONE,
            "sleep": sleeps,
            "retry": RetryPolicy(attempts=3, backoff=0.5),
            "timeout": (3.0, 20.0),
        }
        options.update(overrides)
        if "budget" not in options:
            options["budget"] = RequestBudget(9000, sleep=sleeps)
        return AutotaskClient(**options)

    return build


@pytest.fixture
def make_provider(make_client: Callable[..., AutotaskClient]) -> Callable[..., AutotaskProvider]:
    def build(**overrides: Any) -> AutotaskProvider:
        return AutotaskProvider(make_client(**overrides), zone=ZoneInfo("Australia/Sydney"))

    return build


@pytest.fixture
def fake_transport() -> Callable[[Answer], FakeTransport]:
    return FakeTransport


def threshold_body(used: int = 100, limit: int = 10_000) -> dict[str, int]:
    return {"externalRequestThreshold": limit, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": used}


def page(items: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    return {
        "items": items,
        "pageDetails": {"count": len(items), "requestCount": 500, "prevPageUrl": None, "nextPageUrl": next_url},
    }
