"""Fixtures of the Dicker Data tests; the helpers live in dickerdata_testkit.py."""

from __future__ import annotations

import pytest
import vcr

from providers.dickerdata.client import DickerDataClient
from providers.dickerdata.transport import KeyTransport
from tests.providers.dickerdata.dickerdata_testkit import ACCOUNT, BASE_URL, TOKEN, Clock, QueuedTransport, make_vcr


@pytest.fixture
def dd_vcr() -> vcr.VCR:
    return make_vcr()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(clock, sleeps):
    def build(key_transport: str = "body", base_url: str = BASE_URL, **kwargs) -> DickerDataClient:
        return DickerDataClient(
            base_url,
            account_code=ACCOUNT,
            access_token=TOKEN,
            key_transport=KeyTransport.named(key_transport),
            now=clock,
            sleep=sleeps.append,
            **kwargs,
        )

    return build


@pytest.fixture
def fake_transport() -> QueuedTransport:
    return QueuedTransport()
