"""The sandbox's HTTP/1.1 server: connections kept alive and ended when the sandbox stops,
each answer sent in one piece, and errors logged, never printed on a user's terminal.
What an answer says is SandboxServer.handle's (server.py)."""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.sandbox.server import SandboxServer

log = logging.getLogger("providers.sandbox.server")  # one logger for the sandbox's server


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow-response fault must not hold up stop()
    sandbox: SandboxServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]):
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()  # connections clients keep alive
        self._open_changed = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_changed:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_changed:
            self._open.discard(request)
            self._open_changed.notify_all()
        super().shutdown_request(request)

    def close_connections(self, grace: float = 1.0) -> None:
        """End the connections clients keep open: a stopped sandbox answers nothing more
        (a client's pool then opens a new one, to whatever listens then). Reading is shut
        first, so that an answer being made (a write already done) still goes out; what is
        left after `grace` seconds is cut."""
        with self._open_changed:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)
        with self._open_changed:
            self._open_changed.wait_for(lambda: not self._open, timeout=grace)
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A request that ended in an exception: logged, never printed as a traceback on
        the terminal of the command that runs the embedded sandbox. Once the sandbox is
        stopping (the command was interrupted), an answer that cannot be sent is expected."""
        kind = sys.exc_info()[0]
        name = kind.__name__ if kind else "error"
        if self.sandbox.stopping:
            log.debug("sandbox: a request ended while stopping (%s)", name, exc_info=True)
        else:
            log.warning(
                "sandbox: a request from %s failed (%s)", client_address, name, exc_info=log.isEnabledFor(logging.DEBUG)
            )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HttpServer
    timeout = 30  # idle keep-alive connections end on their own
    # Headers and body go out together: the answer is buffered and sent in one piece (see
    # _serve) when it fits the buffer. Unbuffered, they went in two sends, and with Nagle's
    # algorithm the body waited for the client's delayed ACK (~40 ms).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def handle_expect_100(self) -> bool:
        answered = super().handle_expect_100()
        self.wfile.flush()  # "100 Continue" cannot wait in the buffer: the client waits for it
        return answered

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.sandbox.handle(self.command, self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        payload = reply.payload()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type_header())
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
            self.wfile.flush()  # headers and body in one send
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout, often injected on purpose): nothing to answer,
            # and what could not be sent is dropped rather than sent again at the end.
            self.close_connection = True
            self.wfile = io.BytesIO()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("sandbox: http %s", format % args)
