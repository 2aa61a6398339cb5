"""SandboxServer: the emulated vendor APIs on one loopback HTTP server.

Mounts: `{url}/dickerdata/api/...`, `{url}/connectwise/{codebase}/apis/3.0/...` (any
codebase), `{url}/autotask/atservicesrest/v1.0/...` (case-insensitive, as Autotask),
`{url}/xero/...` (the identity service and `api.xro/2.0`, case-insensitive, as Xero).
Each request is counted, may be refused for being past the vendor's limit on requests at
once (`concurrency.py`), waits out the configured latency (`latency.py`), may meet an
injected fault, is authorised against the demo credentials, and runs under the world lock;
successful writes are persisted.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from providers.sandbox.access_keys import AccessKeys
from providers.sandbox.autotask import AutotaskApi
from providers.sandbox.autotask_errors import at_error
from providers.sandbox.concurrency import Concurrency, Limit, endpoint_of
from providers.sandbox.connectwise import ConnectWiseApi
from providers.sandbox.counter import RequestCounter
from providers.sandbox.cw_listing import cw_error
from providers.sandbox.dickerdata import DickerDataApi, dd_error
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.faults import FaultPlan
from providers.sandbox.http_server import Handler, HttpServer
from providers.sandbox.latency import Latency
from providers.sandbox.router import Route, Router
from providers.sandbox.store import WorldStore, json_copy
from providers.sandbox.threshold import RequestWindow
from providers.sandbox.xero import XeroApi
from providers.sandbox.xero_identity import XeroIdentity, XeroLimits
from providers.sandbox.xero_records import xero_error

log = logging.getLogger(__name__)
# How often the serving thread looks for a stop: `stop()` waits up to this long, and the
# tests start and stop a sandbox hundreds of times.
STOP_POLL = 0.01
Matched = tuple[Route, dict[str, str]] | None  # a route and its path parameters (Router.match)

MOUNTS = (
    ("dickerdata", re.compile(r"^/dickerdata(?=/|$)")),
    ("connectwise", re.compile(r"^/connectwise/[^/]+/apis/3\.0(?=/|$)")),
    ("connectwise", re.compile(r"^/connectwise(?=/login/)")),  # the site: codebase discovery
    ("autotask", re.compile(r"^/autotask/atservicesrest/v1\.0(?=/|$)", re.IGNORECASE)),
    ("xero", re.compile(r"^/xero(?=/)", re.IGNORECASE)),
)
XERO_LISTS = ("RepeatingInvoices", "Invoices", "Items", "Contacts")
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


class VendorApi(Protocol):
    router: Router

    def authorize(self, request: Request) -> None: ...


def vendor_error(vendor: str, status: int, message: str) -> Reply:
    """An error reply in the vendor's own envelope."""
    if vendor == "connectwise":
        return cw_error(
            status,
            {401: "Unauthorized", 404: "NotFound", 429: "TooManyRequests"}.get(
                status, "InternalServerError" if status >= 500 else "InvalidObject"
            ),
            message,
        )
    if vendor == "autotask":
        return at_error(status, message)
    if vendor == "xero":
        return xero_error(status, message)
    return dd_error(status, message)


class SandboxServer:
    def __init__(
        self,
        world_path: Path,
        *,
        port: int = 0,
        clock: date | None = None,
        persist: str = "each_write",
        latency: Latency | None = None,
        limits: Mapping[str, Limit] | None = None,
    ):
        self.store = WorldStore(Path(world_path), persist=persist, clock=clock)
        self.faults = FaultPlan.from_env(os.environ)
        self.latency = Latency.from_env(os.environ) if latency is None else latency
        self.concurrency = Concurrency(limits)  # the vendors' limits on requests at once
        self.counts = RequestCounter()
        self.threshold = RequestWindow()  # Autotask's hourly request count; tests preset it
        self.access_keys = AccessKeys()  # Dicker Data keys; tests shorten `lifetime`
        self.xero_identity = XeroIdentity()  # Xero tokens; tests shorten `lifetime`
        self.xero_limits = XeroLimits()  # Xero's calls a minute and a day; tests preset the day
        self.url = ""
        self._port = port
        self._apis: dict[str, VendorApi] = {
            "connectwise": ConnectWiseApi(self.store),
            "autotask": AutotaskApi(self.store, self.threshold),
            "dickerdata": DickerDataApi(self.store, self.access_keys),
            "xero": XeroApi(self.store, self.xero_identity, self.xero_limits),
        }
        self._writes = 0
        self._writes_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: HttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def clock(self) -> date | None:
        return self.store.clock

    @clock.setter
    def clock(self, value: date | None) -> None:
        self.store.clock = value

    def start(self) -> SandboxServer:
        httpd = HttpServer(("127.0.0.1", self._port), Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": STOP_POLL}, name="ncesync-sandbox", daemon=True
        )
        self._thread.start()
        log.info("sandbox: started url=%s world=%s", self.url, self.store.path)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.store.flush()
        log.info("sandbox: stopped url=%s", self.url)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def writes(self) -> int:
        """Write requests answered so far (a fault's `write_index` counts from the start)."""
        with self._writes_lock:
            return self._writes

    def world(self) -> dict[str, Any]:
        """A copy of the whole world (every vendor, every record)."""
        return self.store.snapshot()

    def records(
        self,
        vendor: str,
        collection: str,
        where: Callable[[dict[str, Any]], bool] = lambda _: True,
        pick: Callable[[dict[str, Any]], Any] = json_copy,
    ) -> list[Any]:
        """What a check reads back after a run: `pick` of each record of one collection that
        `where` keeps (a copy of the record unless `pick` says what to keep of it), taken
        under the world's lock, without copying the rest of the world."""
        with self.store.lock:
            found = self.store.data.get(vendor, {}).get(collection, [])
            return [pick(r) for r in found if where(r)]

    # -- one request --------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply | None:
        """The reply to send, or None to drop the connection (a lost response)."""
        path, _, query = target.partition("?")
        mounted = next(((v, m) for v, mount in MOUNTS if (m := mount.match(path))), None)
        if mounted is None:
            self.counts.add(f"{method} unknown (unmatched)")
            prefix = next((v for v, _ in MOUNTS if path.lower().startswith(f"/{v}/")), "")
            if prefix:  # under a vendor's prefix: that vendor's 404 body
                return vendor_error(prefix, 404, f"{path} is not a path of the emulated {prefix} API")
            return Reply(404, {"message": f"no emulated vendor API at {path}"})
        vendor, found = mounted
        api = self._apis[vendor]
        request = Request(method, path[found.end() :] or "/", query, headers, body, self.url, found.group(0))
        matched = api.router.match(method, request.path)
        label = api.router.label(method, request.path)
        self.counts.add(label)
        endpoint = endpoint_of(vendor, matched[0].pattern if matched else request.path)
        refusal = self.concurrency.enter(vendor, endpoint)
        if refusal:
            log.info("sandbox: refused=429 vendor=%s endpoint=%s", vendor, endpoint)
            reply = vendor_error(vendor, 429, f"Too many requests at once: {refusal}")
            if vendor == "xero":  # Xero says which of its limits was hit, and when to come back
                return replace(
                    reply, headers={**reply.headers, "Retry-After": "1", "X-Rate-Limit-Problem": "concurrent"}
                )
            return reply
        try:  # the place is given up before the answer is sent (see concurrency.py)
            if self.latency:
                self._stopping.wait(self.latency.next_delay())
            return self._answer(vendor, api, request, matched, label, method, path)
        finally:
            self.concurrency.leave(vendor, endpoint)

    def _answer(
        self, vendor: str, api: VendorApi, request: Request, matched: Matched, label: str, method: str, path: str
    ) -> Reply | None:
        write_number = self._next_write() if matched and matched[0].write else None
        fault = self.faults.take(vendor, method, path, write_number)
        if fault and fault.kind == "status":
            reply = vendor_error(vendor, fault.status, f"injected fault: HTTP {fault.status}")
            extra = {"Retry-After": _seconds(fault.retry_after)} if fault.retry_after is not None else {}
            return Reply(reply.status, reply.body, {**reply.headers, **extra}, fault=fault.kind)
        if fault and fault.kind == "malformed" and fault.malformed == "html":
            return Reply(fault.status, HTML_PAGE, content_type="text/html", fault=fault.kind)
        if fault and fault.kind == "slow":
            self._stopping.wait(fault.delay)
        reply = self._perform(vendor, api, request, matched)
        if fault and fault.kind == "lose_response":
            log.info("sandbox: fault=lose_response method=%s path=%s", method, path)
            return None
        if fault and fault.kind == "malformed":
            reply = Reply(
                reply.status,
                _without(reply.body, fault.field or ""),
                reply.headers,
                reply.content_type,
                fault=fault.kind,
            )
        self.counts.listed(label, _listed(reply.body))  # what the client receives
        return reply

    def _perform(self, vendor: str, api: VendorApi, request: Request, matched: Matched) -> Reply:
        is_write = bool(matched and matched[0].write)
        with self.store.writing() if is_write else self.store.lock:
            if not is_write:
                self.store.refresh()  # another process may have written the world file
            try:
                api.authorize(request)
                if matched is None:
                    return vendor_error(vendor, 404, f"{request.method} {request.path} is not emulated")
                route, params = matched
                reply = route.handler(request.with_params(params))
            except Rejection as rejected:
                return rejected.reply
            except Exception:  # an emulator bug must look like a vendor 500, not hang the client
                # One line, not a traceback, on the user's terminal (the embedded sandbox shares it).
                log.error(
                    "sandbox: emulator failed method=%s path=%s error=%s",
                    request.method,
                    request.path,
                    sys.exc_info()[1],
                )
                return vendor_error(vendor, 500, "internal error in the sandbox")
            if route.write and reply.status < 400:
                self.store.written()
            return reply

    def _next_write(self) -> int:
        with self._writes_lock:
            self._writes += 1
            return self._writes


def _listed(body: Any) -> int:
    """Records in a listing: a ConnectWise array, an Autotask `items` page, a Xero envelope; else none."""
    if isinstance(body, list):
        return len(body)
    for key in ("items", *XERO_LISTS):
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return len(body[key])
    return 0


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _without(body: Any, name: str) -> Any:
    """The JSON answer with member `name` removed at the top, in `item`, and in list records."""
    if isinstance(body, list):
        return [_without(item, name) for item in body]
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if k != name}
    for key in ("item", "items", "Out", *XERO_LISTS):
        if isinstance(out.get(key), (dict, list)):
            out[key] = _without(out[key], name)
    return out


def serve_forever(world_path: Path, port: int, *, on_ready: Any = None, clock: date | None = None) -> None:
    """Run the sandbox in the foreground until interrupted (Ctrl-C or SIGTERM); then flush."""
    server = SandboxServer(world_path, port=port, clock=clock).start()
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if on_ready is not None:
        on_ready(server.url)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
