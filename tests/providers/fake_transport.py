"""A Transport that answers from a function instead of the network (providers/transport.py).

`answer(request)` returns (status, body, headers), a body that is not bytes being sent as
JSON, or raises one of urllib3's errors, as the network would. The transport keeps what was
sent, the timeouts, and how many requests were in flight at once (`peak`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from providers.transport import Request, Response

Answer = Callable[[Request], tuple[int, Any, dict[str, str]]]


class FakeTransport:
    def __init__(self, answer: Answer):
        self.answer = answer
        self.sent: list[Request] = []
        self.timeouts: list[tuple[float, float]] = []
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def send(self, request: Request, timeout: tuple[float, float]) -> Response:
        with self._lock:
            self.sent.append(request)
            self.timeouts.append(timeout)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            status, body, headers = self.answer(request)
        finally:
            with self._lock:
                self.active -= 1
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Response.of(status, content, {"Content-Type": "application/json", **headers})
