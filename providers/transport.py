"""Sending one HTTP request and reading its whole answer: the layer under HttpClient.

HttpClient (providers/http.py) decides what to send, when to send it again and what an error
means; a Transport only sends. `PooledTransport` is urllib3's connection pool, with what the
deployment's environment says about the vendor's host, read once per host:

* a proxy: HTTPS_PROXY, HTTP_PROXY or ALL_PROXY (lower case first, as curl; host:port alone
  is an http:// proxy), unless NO_PROXY
  names the host: `*`, a domain (itself and its subdomains), a host:port, an address or a
  network (10.0.0.0/8); user and password in the proxy URL are sent as Proxy-Authorization;
* the CA bundle that verifies TLS: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (a file or a
  folder; one that does not exist is a ConfigError), else certifi's.

A ~/.netrc is not read: a vendor's credentials come from the deployment's settings (and its
environment variables), never from a file in a home folder. Redirects are not followed:
credentials go only to the host the settings name (HttpClient reports a redirect as an error).

`Transport.send` returns the whole answer, whatever its status, or raises one of urllib3's
errors when there is none; what each one means for a retry is decided in providers/retry.py:

* `ConnectTimeoutError` (and `NewConnectionError`, a subclass): no connection was made, so
  nothing was sent;
* `ReadTimeoutError`: sent, and no answer came in time;
* any other `urllib3.exceptions.HTTPError` (`ProtocolError`, `SSLError`, `ProxyError`, ...):
  the connection broke, and the request may have reached the vendor.

Tests hand a client a Transport of their own that answers from a script (no network).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies

import certifi
import urllib3
from urllib3 import HTTPHeaderDict
from urllib3.exceptions import LocationValueError

from reconciler.errors import ConfigError

__all__ = [
    "PooledTransport",
    "Request",
    "Response",
    "Transport",
    "basic_auth",
    "check_header",
    "proxy_for",
    "shared",
    "user_agent",
]


@dataclass(frozen=True)
class Request:
    """What goes on the wire: `url` is absolute, with its query; `body` is encoded."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def json(self) -> Any:
        """The body read back as JSON (what a test double checks)."""
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Response:
    """A whole answer. `headers` look names up in any case, as HTTP's names are."""

    status_code: int
    headers: HTTPHeaderDict
    content: bytes = b""

    @classmethod
    def of(cls, status: int, content: bytes = b"", headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, HTTPHeaderDict(dict(headers or {})), content)

    @property
    def text(self) -> str:
        """The body as text: the charset the Content-Type names, else UTF-8 (JSON's own)."""
        charset = _charset(self.headers.get("Content-Type", "")) or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self, **options: Any) -> Any:
        """The body read as JSON; a ValueError when it is not JSON."""
        return json.loads(self.text, **options)

    @property
    def links(self) -> dict[str, str]:
        """The `Link` header's URLs by relation (`rel="next"` ...); {} without one. A URL
        ends at the `;` of its parameters (a `>` or `,` inside it does not end it)."""
        found: dict[str, str] = {}
        for value in re.split(r",\s*(?=<)", self.headers.get("Link", "")):
            target, _, params = value.partition(";")
            url = target.strip(" <>'\"")
            for param in params.split(";"):
                name, _, rels = param.partition("=")
                if url and name.strip().lower() == "rel":
                    for rel in rels.strip(" '\"").split():
                        found.setdefault(rel.lower(), url)
        return found


class Transport(Protocol):
    """Sends one request; see the module's docstring for what it returns and raises."""

    def send(self, request: Request, timeout: tuple[float, float]) -> Response: ...


class PooledTransport:
    """urllib3 pools, kept alive between calls; thread-safe. `pool_size` connections per
    host are kept open: one for every request a client may have in flight at once."""

    def __init__(self, pool_size: int = 10):
        self._pool_size = max(1, pool_size)
        self._lock = threading.Lock()
        self._by_origin: dict[tuple[str, str], urllib3.PoolManager] = {}
        self._by_route: dict[tuple[str, str], urllib3.PoolManager] = {}

    def send(self, request: Request, timeout: tuple[float, float]) -> Response:
        try:
            manager = self._manager(request.url)
            answer = manager.urlopen(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
                decode_content=True,
            )
        except LocationValueError as exc:  # a URL or proxy that cannot be called: nothing was sent
            raise ConfigError(
                f"{_origin(request.url)} cannot be called ({type(exc).__name__}); check the endpoint in the "
                "settings and the proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY)"
            ) from None
        return Response(answer.status, answer.headers, answer.data)

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        origin = (parts.scheme.lower(), parts.netloc.lower())
        with self._lock:
            manager = self._by_origin.get(origin)
            if manager is None:
                manager = self._by_origin[origin] = self._route(url)
            return manager

    def _route(self, url: str) -> urllib3.PoolManager:
        """The pool manager for a URL's host: through its proxy, with its CA bundle (one
        manager per distinct pair, shared by the hosts that have it)."""
        proxy = proxy_for(url)
        named = next((name for name in _CA_VARIABLES if os.environ.get(name)), None)
        bundle = os.environ[named] if named else certifi.where()
        if named and not os.path.exists(bundle):
            raise ConfigError(f"{named} names {bundle}, which does not exist; point it at a CA bundle file or folder")
        route = (proxy, bundle)
        manager = self._by_route.get(route)
        if manager is None:
            tls: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED"}
            tls["ca_cert_dir" if os.path.isdir(bundle) else "ca_certs"] = bundle
            if proxy:
                manager = urllib3.ProxyManager(
                    proxy, maxsize=self._pool_size, proxy_headers=_proxy_headers(proxy), **tls
                )
            else:
                manager = urllib3.PoolManager(maxsize=self._pool_size, **tls)
            self._by_route[route] = manager
        return manager


def proxy_for(url: str) -> str:
    """The proxy the environment gives for `url`, or "" to go direct."""
    parts = urlsplit(url)
    proxies = getproxies()  # the *_proxy variables, lower case first
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower())
    if _bypassed(parts.hostname or "", port, proxies.get("no", "")):
        return ""
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all") or ""
    return proxy if not proxy or "://" in proxy else f"http://{proxy}"  # host:port alone, as curl reads it


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    host = host.lower().rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        if not entry:
            continue
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry.strip("[]"), strict=False):
                    return True
            except ValueError:
                pass
            continue
        name, _, wanted_port = entry.partition(":")
        if wanted_port and (not wanted_port.isdigit() or int(wanted_port) != port):
            continue
        domain = name.lstrip(".").rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


_SHARED: dict[tuple[int, tuple[tuple[str, str], ...]], PooledTransport] = {}
_SHARED_LOCK = threading.Lock()
_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def shared(pool_size: int = 10) -> PooledTransport:
    """This process's transport for clients that keep `pool_size` connections per host.

    Every client of a process shares it, so a connection opened by one run's client serves
    the next run's (a process that syncs many times, the simulation, a benchmark): opening
    one costs more than the call it carries. A connection carries no credentials (they go
    in each request's headers). A client made after the proxy or CA variables changed gets
    a transport of its own, which reads them afresh."""
    settings = tuple(
        sorted((k, v) for k, v in os.environ.items() if k.lower().endswith("_proxy") or k in _CA_VARIABLES)
    )
    with _SHARED_LOCK:
        found = _SHARED.get((pool_size, settings))
        if found is None:
            found = _SHARED[(pool_size, settings)] = PooledTransport(pool_size)
        return found


def check_header(name: str, value: str) -> None:
    """What http.client refuses in a header before it sends it: a UnicodeEncodeError for a
    character outside Latin-1, a ValueError for a name with a colon, a space or a line break,
    or a value with a line break. The value is never repeated: it is often a secret."""
    name.encode("latin-1")
    value.encode("latin-1")
    if not _HEADER_NAME.fullmatch(name):
        raise ValueError(f"invalid header name {name!r}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"a line break in the value of the {name} header")


_HEADER_NAME = re.compile(r"[^:\s][^:\r\n]*")


def basic_auth(user: str, password: str) -> str:
    """The Authorization header of HTTP Basic: Latin-1, as requests and RFC 7617's default,
    and UTF-8 (RFC 7617's `charset="UTF-8"`) for credentials Latin-1 cannot write."""
    pair = f"{user}:{password}"
    try:
        raw = pair.encode("latin-1")
    except UnicodeEncodeError:
        raw = pair.encode("utf-8")
    return "Basic " + b64encode(raw).decode("ascii")


def user_agent() -> str:
    try:
        return f"ncesync/{version('ncesync')}"
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "ncesync"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else "the URL"


def _proxy_headers(proxy: str) -> dict[str, str]:
    parts = urlsplit(proxy)
    if parts.username is None:
        return {}
    return {"Proxy-Authorization": basic_auth(unquote(parts.username), unquote(parts.password or ""))}


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""
