"""Suite-wide: every answer the sandbox gives in any test is checked against the vendor's
OpenAPI document (tests/contract). A test whose sandbox traffic breaks the document fails
with the list of what broke, so the sandbox cannot drift kinder than the real vendor.
No test waits for real when a vendor says "retry later" (a virtual clock).
`--slow` also runs the tests marked slow (many-seed simulations)."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from providers.sandbox.server import SandboxServer
from reconciler import clock
from reconciler.secrets import KNOWN
from tests.contract.exchanges import Recorder, sent_of

# The suite makes millions of short-lived objects (JSON answers, records, plans): with the
# default thresholds the collector ran about 6,000 times and took about 4 s in all; at these
# it runs about 200 times and takes about 2 s.
gc.set_threshold(20_000, 20, 20)

RECORDER = Recorder()
_handle = SandboxServer.handle


def _recording_handle(self: SandboxServer, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
    reply = _handle(self, method, target, headers, body)
    if reply is not None:  # a lost response answers nothing to check
        RECORDER.add(sent_of(method, target, headers, reply))
    return reply


SandboxServer.handle = _recording_handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def sandbox_answers_match_the_vendor_documents() -> Iterator[None]:
    RECORDER.take()
    yield
    found = RECORDER.problems()
    if found:
        shown = sorted(set(found))
        pytest.fail(
            f"{len(shown)} sandbox answers differ from the vendor's OpenAPI document:\n  " + "\n  ".join(shown[:40]),
            pytrace=False,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the slow tests (many seeds)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: many-seed runs, only with --slow")


def pytest_report_header(config: pytest.Config) -> str:
    return "slow tests (many-seed simulations): " + (
        "run" if config.getoption("--slow") else "left out; --slow runs them"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --slow the slow tests are deselected (the run's header says so): skipped, each
    of the 800 still went through a worker and its report back, about 2 s of CPU."""
    if config.getoption("--slow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        items[:] = [item for item in items if "slow" not in item.keywords]
        config.hook.pytest_deselected(items=slow)


class VirtualClock:
    """Sleeps return at once; `monotonic` moves on by what was slept, so budgets still add up."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + sum(self.waits)


@pytest.fixture(autouse=True)
def logging_as_found() -> Iterator[None]:
    """A command run in-process sets the root logger's level and handler (`--log-level
    debug` in the canary tests); left behind, every later test would log, format and mask
    every debug line of every request, and the suite would slow down test by test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    secrets = KNOWN.snapshot()
    yield
    root.setLevel(level)
    root.handlers = handlers
    # The mask grows by every secret and Dicker Data key a run sees, which is a handful in
    # a nightly process but thousands in one test session: each test starts from the mask
    # it found, so masking does not slow every later test down.
    KNOWN.forget_all_but(secrets)


@pytest.fixture(autouse=True)
def virtual_clock() -> Iterator[VirtualClock]:
    fake = VirtualClock()
    previous = clock.use(fake)
    yield fake
    clock.use(previous)
