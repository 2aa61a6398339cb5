"""The one HTTP layer every vendor client uses: timeouts, retries by the book, clear errors.

What is retried and how long to wait is `providers/retry.py` (urllib3's Retry): reads after
429/5xx and network errors; writes only when the vendor certainly did not process them (429,
503 with Retry-After, a connection that could not be made). A write that was sent and got no
usable answer raises UncertainWriteError: the caller re-reads and decides, never resends.
Sending itself is a Transport's (providers/transport.py).
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NoReturn, TypeVar, overload
from urllib.parse import urlencode, urlsplit

from urllib3 import HTTPHeaderDict
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

from providers.retry import Attempts, RetryPolicy, never_sent
from providers.transport import Request, Response, Transport, basic_auth, check_header, shared, user_agent
from reconciler import clock
from reconciler.errors import ConfigError, ProviderError, UncertainWriteError

__all__ = ["HttpClient", "Response", "RetryPolicy"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
# A gateway's error: the vendor behind it may have processed the write all the same.
GATEWAY_STATUSES = frozenset({502, 504})
# Sent with every call unless a vendor client says otherwise.
DEFAULT_HEADERS = {"User-Agent": user_agent(), "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}


class HttpClient:
    """Calls of one vendor, on one base URL, through one Transport (connections kept alive).

    Subclasses (one per vendor) set `headers` sent with every call (auth) in `__init__`, and
    override `vendor_message` to pull the vendor's error text out of an error response, and
    `request_label` to name endpoints in `request_counts`.
    """

    vendor = "vendor"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,
        transport: Transport | None = None,
        pool_size: int = 10,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        # Waits go through the shared clock (tests replace it) unless a test passes its own.
        self.sleep: Callable[[float], None] = clock.sleep if sleep is None else sleep
        # `pool_size`: the connections kept open, one per call that may be in flight at once;
        # the process's clients share them (transport.shared).
        self.transport: Transport = transport or shared(pool_size)
        self.headers: dict[str, str] = dict(DEFAULT_HEADERS)
        self.request_count = 0
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def read(self, method: str, path: str, **kwargs: Any) -> Response:
        """A call with no side effect (GET, or a POST query): retried when safe."""
        return self._exchange(method, path, write=False, **kwargs)

    def write(self, method: str, path: str, **kwargs: Any) -> Response:
        """A call that changes data: sent again only when it certainly was not processed."""
        return self._exchange(method, path, write=True, **kwargs)

    def request_counts(self) -> dict[str, int]:
        """Requests sent so far (each retry counts), per `METHOD label`, sorted by label."""
        with self._counts_lock:
            return dict(sorted(self._counts.items()))

    @overload
    def decoded(self, response: Response, method: str, path: str, expect: None = None) -> Any: ...
    @overload
    def decoded(self, response: Response, method: str, path: str, expect: type[_T]) -> _T: ...
    def decoded(self, response: Response, method: str, path: str, expect: type | None = None) -> Any:
        """The JSON body (amounts as Decimal, so money stays exact), of the expected shape.

        A body that is not JSON, or not a list/object when one is expected, is a
        ProviderError: a damaged answer is never read as "no records".
        """
        where = f"{self.vendor} {method} {_path_only(path)}"
        try:
            body = response.json(parse_float=Decimal)
        except ValueError as exc:
            raise ProviderError(
                f"{where}: HTTP {response.status_code} but the answer is not JSON ({self.not_json_hint})"
            ) from exc
        if expect is not None and not isinstance(body, expect):
            shape = "list" if expect is list else "object"
            raise ProviderError(f"{where}: expected a JSON {shape}, got {type(body).__name__}")
        return body

    # -- hooks ------------------------------------------------------------------------

    not_json_hint = "check the base URL"

    def request_label(self, path: str) -> str:
        """The endpoint a path or URL calls, ids replaced by `{id}` (vendors trim their root)."""
        return _ID_SEGMENT.sub("/{id}", urlsplit(path).path) or "/"

    def vendor_message(self, response: Response) -> str:
        """The vendor's own error text from an error response (override per vendor)."""
        return _short(response.text)

    def describe_status(self, status: int) -> str:
        """What a status means for the user; vendors refine it (which credential, ...)."""
        return {
            401: "the credentials were rejected; check the API keys in the environment",
            403: "the API user lacks a permission for this call",
            404: "not found (check the id and the base URL)",
            429: "rate limited by the vendor; try again later",
        }.get(status, "request failed")

    # -- internals ----------------------------------------------------------------------

    def _exchange(self, method: str, path: str, *, write: bool, **kwargs: Any) -> Response:
        # The label has no query string: urllib3's Retry logs it, and queries can carry tokens.
        attempts = Attempts(self.retry, write=write, method=method, label=_path_only(path))
        while True:
            started = time.monotonic()
            try:
                response = self._send(method, path, **kwargs)
            except HTTPError as exc:
                attempts.took(time.monotonic() - started)
                wait = attempts.after_error(exc)
                if wait is None:
                    raise self._network_error(method, path, exc, write=write, gave_up=attempts.gave_up) from exc
                self._wait(attempts.tries - 1, wait, type(exc).__name__)
                continue
            attempts.took(time.monotonic() - started)
            wait = attempts.after_response(response)
            if wait is None:
                return self._checked(method, path, response, write=write, gave_up=attempts.gave_up)
            self._wait(attempts.tries - 1, wait, f"HTTP {response.status_code}")

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str | None] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Response:
        """Send once: `params` go in the query, `json` or `data` (a form) in the body,
        `headers` over the client's own (None removes one), `auth` as HTTP Basic. A
        parameter whose value is None is left out."""
        label = f"{method} {self.request_label(path)}"
        with self._counts_lock:
            self.request_count += 1
            self._counts[label] += 1
        log.debug("http: vendor=%s request=%s", self.vendor, label)
        url = self.url(path)
        query = _without_none(params)
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query, doseq=True)
        sent = HTTPHeaderDict(self.headers)
        for name, value in (headers or {}).items():  # a name in another case is the same header
            sent.discard(name)
            if value is not None:
                sent[name] = value
        body = None
        if json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            sent.setdefault("Content-Type", "application/json")
        elif data is not None:
            body = urlencode(_without_none(data), doseq=True).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if auth is not None:
            sent["Authorization"] = basic_auth(*auth)
        _sendable(sent, self.vendor)
        return self.transport.send(Request(method, url, sent, body), self.timeout)

    def _checked(
        self, method: str, path: str, response: Response, *, write: bool = False, gave_up: str = ""
    ) -> Response:
        if response.status_code < 300:
            return response
        if response.status_code < 400:
            self._redirected(method, path, response, write=write)
        vendor_text = self.vendor_message(response)
        status = response.status_code
        message = f"{self.vendor} {method} {_path_only(path)}: HTTP {status}, {self.describe_status(status)}"
        if vendor_text:
            message += f": {vendor_text}"
        if gave_up:
            message += f" ({gave_up})"
        if write and status in GATEWAY_STATUSES:
            raise UncertainWriteError(
                message + "; the vendor behind the gateway may have made the write",
                status=status,
                vendor_message=vendor_text,
            )
        raise ProviderError(message, status=status, vendor_message=vendor_text)

    def _redirected(self, method: str, path: str, response: Response, *, write: bool) -> NoReturn:
        """A 3xx is not followed (credentials go only to the host the settings name): it is
        an error that says where the server pointed, without what may carry a secret."""
        status = response.status_code
        where = f"{self.vendor} {method} {_path_only(path)}: HTTP {status}"
        location = _place(response.headers.get("Location", ""))
        if location:
            message = f"{where}, the server sends this call to {location}; check the base URL in the settings"
        else:
            message = f"{where}, an answer the vendor's API does not give here; check the base URL in the settings"
        message += " (ncesync does not follow redirects)"
        if write and status in (301, 302, 303):
            # 303 says the write was done; 301/302 leave it open. 307/308 say it was not.
            raise UncertainWriteError(message + "; the write may have been made", status=status)
        raise ProviderError(message, status=status)

    def _network_error(
        self, method: str, path: str, exc: Exception, *, write: bool = False, gave_up: str = ""
    ) -> ProviderError:
        where = f"{self.vendor} {method} {_path_only(path)}"
        # A refused connection is a NewConnectionError, which urllib3 files under timeouts.
        timed_out = isinstance(exc, TimeoutError) and not isinstance(exc, NewConnectionError)
        if write and not never_sent(exc):
            # Sent, but no answer: the vendor may have made the write. Never resent blindly.
            what = "timed out waiting for the answer" if timed_out else "the connection dropped before the answer"
            return UncertainWriteError(
                f"{where}: {what} ({type(exc).__name__}); the write may have been made",
                settle_after=self.timeout[1] if timed_out else 0.0,
            )
        kind = "timed out" if timed_out else "could not connect"
        return ProviderError(f"{where}: {kind} ({type(exc).__name__})" + (f" ({gave_up})" if gave_up else ""))

    def _wait(self, attempt: int, delay: float, why: str) -> None:
        log.warning("http: vendor=%s retry=%d wait=%.2fs reason=%s", self.vendor, attempt, delay, why)
        if delay > 0:
            self.sleep(delay)


def _place(url: str) -> str:
    """Where a URL points, without user, password, query or fragment."""
    parts = urlsplit(url)
    if not parts.scheme:
        return parts.path
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _path_only(path: str) -> str:
    """Drop the query string: it may carry tokens and is noise in a message."""
    return path.split("?", 1)[0]


def _without_none(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: value for name, value in (values or {}).items() if value is not None}


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    if text.lstrip().lower().startswith(("<!doctype", "<html")):
        return "the server answered with an HTML page instead of JSON"
    return text[:limit]


def _sendable(headers: HTTPHeaderDict, vendor: str) -> None:
    """A ConfigError, before anything is sent, for a header HTTP/1.1 cannot carry: a
    character outside Latin-1 or a line break, as a credential pasted with a stray one has
    (urllib3 would fail with an error that names neither the header nor what to do). The
    value itself is never repeated: it is often a secret."""
    for name, value in headers.items():
        try:
            check_header(name, value)
        except UnicodeEncodeError:
            raise ConfigError(
                f"{vendor}: the {name} header of the request would carry a character outside Latin-1, which "
                "HTTP headers cannot; check the setting or environment variable it comes from (a credential?)"
            ) from None
        except ValueError:
            raise ConfigError(
                f"{vendor}: the {name} header of the request would carry a line break; check the setting or "
                "environment variable it comes from (a credential pasted with a newline?)"
            ) from None
