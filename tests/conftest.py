"""Suite-wide: every answer the sandbox gives in any test is checked against the vendor's
OpenAPI document (tests/contract). A test whose sandbox traffic breaks the document fails
with the list of what broke, so the sandbox cannot drift kinder than the real vendor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from providers.sandbox.server import SandboxServer
from tests.contract.exchanges import Recorder, exchange_of, problems

RECORDER = Recorder()
_handle = SandboxServer.handle


def _recording_handle(self: SandboxServer, method: str, target: str, headers: dict[str, str],
                      body: bytes) -> Any:
    reply = _handle(self, method, target, headers, body)
    if reply is not None:  # a lost response answers nothing to check
        RECORDER.add(exchange_of(method, target, headers, reply))
    return reply


SandboxServer.handle = _recording_handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def sandbox_answers_match_the_vendor_documents() -> Iterator[None]:
    RECORDER.take()
    yield
    found = []
    for exchange in RECORDER.take():
        found += [f"{exchange.label()}: {p}" for p in problems(exchange)]
    if found:
        shown = sorted(set(found))
        pytest.fail(f"{len(shown)} sandbox answers differ from the vendor's OpenAPI document:\n  "
                    + "\n  ".join(shown[:40]), pytrace=False)
