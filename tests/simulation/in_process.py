"""The sandbox answering the vendor clients in the simulation's own process, without sockets.

The simulation asks one question: does every billing style bill to the cent, day after day.
It makes some 13,000 calls, and on loopback two thirds of their cost was HTTP/1.1 itself
(encoding and parsing headers on both sides, the socket, the server's thread), none of it
billing. `InProcessTransport` hands each request to the sandbox's `handle`, exactly what the
sandbox's HTTP handler hands it, and returns the sandbox's reply as the handler would send
it: the same vendor clients, the same retries and paging, the same emulators and the same
check of every answer against the vendors' documents (tests/conftest.py wraps `handle`).

The wire itself is tested elsewhere (e2e, nightly, sandbox and conformance suites, and the
example plug-in's cases of this simulation, whose client brings its own HTTP), and
test_in_process.py shows the two ways give the same requests, worlds and plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.client import RemoteDisconnected
from typing import Any
from unittest import mock

from urllib3.exceptions import ProtocolError
from urllib3.util import parse_url

import providers.http
from providers.sandbox import SandboxServer
from providers.transport import Request, Response, Transport


class InProcessTransport:
    """A Transport (providers/transport.py): the URLs under one running sandbox in-process,
    any other (a plug-in's own emulator) through `elsewhere`."""

    def __init__(self, server: SandboxServer, elsewhere: Transport):
        self.server = server
        self.elsewhere = elsewhere

    def send(self, request: Request, timeout: tuple[float, float]) -> Response:
        if not request.url.startswith(self.server.url + "/"):
            return self.elsewhere.send(request, timeout)
        body = request.body or b""
        headers = {name.lower(): value for name, value in request.headers.items()}
        if body:
            headers["content-length"] = str(len(body))
        reply = self.server.handle(request.method, parse_url(request.url).request_uri, headers, body)
        if reply is None:  # the sandbox dropped the connection: what urllib3 raises then
            raise ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection"))
        payload = reply.payload()
        answer = {"Content-Type": reply.content_type_header(), "Content-Length": str(len(payload)), **reply.headers}
        return Response.of(reply.status, payload, answer)


@contextmanager
def in_process(server: SandboxServer) -> Iterator[None]:
    """Within it, every vendor client made without a transport of its own (HttpClient's
    default, `providers.transport.shared`) sends to `server` in-process."""
    wire = providers.http.shared

    def shared(pool_size: int = 10) -> Any:
        return InProcessTransport(server, wire(pool_size))

    with mock.patch("providers.http.shared", shared):
        yield
