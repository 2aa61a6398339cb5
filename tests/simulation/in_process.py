"""The sandbox answering the vendor clients in the simulation's own process, without sockets.

The simulation asks one question: does every billing style bill to the cent, day after day.
It makes some 13,500 calls, and on loopback two thirds of their cost was HTTP/1.1 itself
(encoding and parsing headers on both sides, the socket, the server's thread), none of it
billing. `InProcessTransport` hands each request to the sandbox's `handle`, exactly what the
sandbox's HTTP handler hands it, and returns the sandbox's reply as the handler would send
it: the same vendor clients, the same retries and paging, the same emulators and the same
check of every answer against the vendors' documents (tests/conftest.py wraps `handle`).
Header names and values are held to what the wire can carry (Latin-1, no line breaks), in
both directions. A sandbox with latency is reached over loopback: in-process it could not
make a client's read time out. (The simulation injects no slow faults, for the same reason.)

The wire itself is tested elsewhere (the end-to-end, nightly and sandbox suites, the
conformance vectors, and the example plug-in's cases of this simulation, whose client
brings its own HTTP), and test_in_process.py shows the two ways send, write and plan the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.client import RemoteDisconnected
from typing import Any
from unittest import mock

from urllib3.exceptions import ProtocolError
from urllib3.util import parse_url

import providers.http
from providers.sandbox import SandboxServer
from providers.transport import Request, Response, Transport, check_header


class Tally:
    """Requests carried in-process (a test checks that the simulation's all were)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1


class InProcessTransport:
    """A Transport (providers/transport.py): the URLs under one running sandbox in-process,
    any other (a plug-in's own emulator), or all when the sandbox has latency, through
    `elsewhere`."""

    def __init__(self, server: SandboxServer, elsewhere: Transport, tally: Tally | None = None):
        self.server = server
        self.elsewhere = elsewhere
        self.tally = tally or Tally()

    def send(self, request: Request, timeout: tuple[float, float]) -> Response:
        if not request.url.startswith(self.server.url + "/") or self.server.latency:
            return self.elsewhere.send(request, timeout)
        _wire_safe(request.headers)  # what urllib3 raises before sending
        body = request.body or b""
        headers = {name.lower(): value for name, value in request.headers.items()}
        if body:
            headers["content-length"] = str(len(body))
        self.tally.add()
        reply = self.server.handle(request.method, parse_url(request.url).request_uri, headers, body)
        if reply is None:  # the sandbox dropped the connection: what urllib3 raises then
            raise ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection"))
        payload = reply.payload()
        answer = {"Content-Type": reply.content_type_header(), "Content-Length": str(len(payload)), **reply.headers}
        try:
            _wire_safe(answer)
        except ValueError as exc:  # the sandbox's handler could not send it: the connection drops
            raise ProtocolError("Connection aborted.", RemoteDisconnected(str(exc))) from None
        return Response.of(reply.status, payload, answer)


def _wire_safe(headers: Mapping[str, str]) -> None:
    """What urllib3 raises for a header HTTP/1.1 cannot carry (providers/transport.py)."""
    for name, value in headers.items():
        check_header(name, value)


@contextmanager
def in_process(server: SandboxServer, tally: Tally | None = None) -> Iterator[None]:
    """Within it, every vendor client made without a transport of its own (HttpClient's
    default, `providers.http.shared`) sends to `server` in-process, counting in `tally`."""
    wire = providers.http.shared

    def shared(pool_size: int = 10) -> Any:
        return InProcessTransport(server, wire(pool_size), tally)

    with mock.patch("providers.http.shared", shared):
        yield
