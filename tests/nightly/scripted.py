"""A scripted vendor: a transport answering from a list, for the retry tests."""

from __future__ import annotations

from typing import Any

from urllib3.exceptions import NewConnectionError, ProtocolError

from providers.transport import Request
from tests.providers.fake_transport import FakeTransport

Step = tuple[int, Any, dict[str, str]] | Exception


def refused() -> NewConnectionError:
    """What the transport raises when nothing listens: the request never left."""
    return NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]


def dropped() -> ProtocolError:
    """What the transport raises when the server closes without answering (after processing)."""
    return ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))


def scripted(steps: list[Step]) -> FakeTransport:
    """Answers the requests in order from `steps`; the last step repeats."""
    transport: FakeTransport

    def answer(request: Request) -> tuple[int, Any, dict[str, str]]:
        step = steps[min(len(transport.sent), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    transport = FakeTransport(answer)
    return transport


def repeat(step: Step, times: int) -> list[Step]:
    return [step] * times
