"""The one HTTP layer every vendor client uses: timeouts, bounded retries, clear errors.

Reads are retried on 429/5xx and network errors, honouring `Retry-After`. Writes are never
retried here: a create that timed out may have succeeded, so the caller re-reads and decides.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler.errors import ProviderError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # total tries for a read
    backoff: float = 0.5  # seconds, doubled each retry
    max_backoff: float = 30.0
    max_retry_after: float = 120.0  # a Retry-After beyond this is not waited for


class HttpClient:
    """A requests.Session bound to one vendor base URL.

    Subclasses (one per vendor) set auth headers in `__init__` and override
    `vendor_message` to pull the vendor's error text out of an error response, and
    `request_label` to name endpoints in `request_counts`.
    """

    vendor = "vendor"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.session = session or requests.Session()
        self.request_count = 0
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def read(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call with no side effect (GET, or a POST query): retried when safe."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.retry.attempts:
                    raise self._network_error(method, path, exc) from exc
                self._wait(attempt, None, f"{type(exc).__name__}")
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retry.attempts:
                retry_after = _retry_after(response.headers)
                if retry_after is None or retry_after <= self.retry.max_retry_after:
                    self._wait(attempt, retry_after, f"HTTP {response.status_code}")
                    continue
            return self._checked(method, path, response)

    def write(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call that changes data: sent once, never retried blindly."""
        try:
            response = self._send(method, path, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._network_error(method, path, exc) from exc
        return self._checked(method, path, response)

    def request_counts(self) -> dict[str, int]:
        """Requests sent so far (each retry counts), per `METHOD label`, sorted by label."""
        with self._counts_lock:
            return dict(sorted(self._counts.items()))

    def decoded(self, response: requests.Response, method: str, path: str, expect: type | None = None) -> Any:
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

    def vendor_message(self, response: requests.Response) -> str:
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

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        label = f"{method} {self.request_label(path)}"
        with self._counts_lock:
            self.request_count += 1
            self._counts[label] += 1
        log.debug("http: vendor=%s request=%s", self.vendor, label)
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.url(path), **kwargs)

    def _checked(self, method: str, path: str, response: requests.Response) -> requests.Response:
        if response.status_code < 400:
            return response
        vendor_text = self.vendor_message(response)
        status = response.status_code
        message = (
            f"{self.vendor} {method} {_path_only(path)}: HTTP {status}, "
            f"{self.describe_status(status)}"
        )
        if vendor_text:
            message += f": {vendor_text}"
        raise ProviderError(message, status=status, vendor_message=vendor_text)

    def _network_error(self, method: str, path: str, exc: Exception) -> ProviderError:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
        return ProviderError(f"{self.vendor} {method} {_path_only(path)}: {kind} ({type(exc).__name__})")

    def _wait(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = retry_after
        if delay is None:
            delay = min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_backoff)
        log.warning("http: vendor=%s retry=%d wait=%.2fs reason=%s", self.vendor, attempt, delay, why)
        self.sleep(delay)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def _path_only(path: str) -> str:
    """Drop the query string: it may carry tokens and is noise in a message."""
    return path.split("?", 1)[0]


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    if text.lstrip().lower().startswith(("<!doctype", "<html")):
        return "the server answered with an HTML page instead of JSON"
    return text[:limit]
