"""The TinyPSA REST client: the only module of the plug-in that talks HTTP.

One request layer: the bearer token on every call, a timeout on every call, paging (follow
the body's `next` path until it is null), request counts per endpoint, and every failure
mapped to a ProviderError carrying TinyPSA's own message. Reads (GET) are retried on
429/502/503/504 and network errors; writes are sent once. A write that was sent and got no
usable answer raises UncertainWriteError, so the engine re-reads instead of resending.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import requests
from reconciler.errors import ProviderError, UncertainWriteError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

PER_PAGE = 200  # TinyPSA's maximum
MAX_PAGES = 10_000  # a server whose `next` never ends must not keep us looping
IDS_PER_REQUEST = 100  # keeps query strings short
UNCLEAR_STATUSES = frozenset({502, 504})  # a gateway's answer: TinyPSA may have made the write
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class TinyPsaClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        token_setting: str = "psa.token",
        timeout: tuple[float, float] = (5.0, 30.0),
        per_page: int = PER_PAGE,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.token_setting = token_setting  # how messages name the token (never its value)
        self.timeout = timeout
        self.per_page = min(max(1, int(per_page)), PER_PAGE)
        self.session = session or requests.Session()
        retry = Retry(
            total=3,
            connect=2,
            read=2,
            status=3,
            backoff_factor=0.5,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=(429, 502, 503, 504),
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    # -- reads ----------------------------------------------------------------------------

    def companies(self, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        return self._in_chunks("/companies", "ids", ids)

    def plans(self, ids: Iterable[int] | None = None, *, status: str | None = None) -> list[dict[str, Any]]:
        return self._in_chunks("/plans", "ids", ids, {"status": status} if status else {})

    def catalog(self, codes: Iterable[str]) -> list[dict[str, Any]]:
        return self._in_chunks("/catalog", "codes", codes)

    def items(self, plan_ids: Iterable[int], codes: Iterable[str]) -> list[dict[str, Any]]:
        return self._in_chunks("/items", "plan_ids", plan_ids, {"codes": ",".join(sorted(codes))})

    # -- writes ---------------------------------------------------------------------------

    def create_item(self, plan_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return self._record("POST", f"/plans/{int(plan_id)}/items", body)

    def patch_item(self, item_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return self._record("PATCH", f"/items/{int(item_id)}", body)

    def request_counts(self) -> dict[str, int]:
        with self._counts_lock:
            return dict(sorted(self._counts.items()))

    # -- internals ------------------------------------------------------------------------

    def _in_chunks(
        self, path: str, name: str, values: Iterable[Any] | None, params: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Every record of a list, asked for at most IDS_PER_REQUEST ids (or codes) a time."""
        if values is None:
            return list(self._pages(path, dict(params or {})))
        wanted = sorted(set(values), key=str)
        records: list[dict[str, Any]] = []
        for at in range(0, len(wanted), IDS_PER_REQUEST):
            chunk = ",".join(str(v) for v in wanted[at : at + IDS_PER_REQUEST])
            records.extend(self._pages(path, {**(params or {}), name: chunk}))
        return records

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        target: str = path
        query: dict[str, Any] | None = {**params, "page": 1, "per_page": self.per_page}
        for _ in range(MAX_PAGES):
            body = self._json("GET", target, params=query)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise ProviderError(f"TinyPSA GET {path}: expected a page {{data: [...], next}}, got {_short(body)}")
            yield from body["data"]
            following = body.get("next")
            if not following:
                return
            if not isinstance(following, str) or not following.startswith("/"):
                # the token goes only to the configured base URL, never to a link's host
                raise ProviderError(f"TinyPSA GET {path}: a `next` link that is not a path: {following!r}")
            target, query = following, None
        raise ProviderError(f"TinyPSA GET {path}: more than {MAX_PAGES} pages; stopped")

    def _record(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self._json(method, path, json=body)
        if not isinstance(answer, dict) or answer.get("id") is None:
            raise UncertainWriteError(
                f"TinyPSA {method} {_label(path)}: the answer has no record id "
                f"({_short(answer)}); the write may have been made"
            )
        return answer

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise self._refused(method, path, response)
        try:
            return response.json(parse_float=Decimal)
        except ValueError:
            error = f"TinyPSA {method} {_label(path)}: HTTP {response.status_code} but the answer is not JSON"
            if method != "GET":
                raise UncertainWriteError(error + "; the write may have been made") from None
            raise ProviderError(error + " (check psa.endpoint)") from None

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        label = f"{method} {_label(path)}"
        with self._counts_lock:
            self._counts[label] += 1
        log.debug("tinypsa.http: request=%s", label)
        try:
            return self.session.request(method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            what = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
            if method != "GET" and not _never_sent(exc):
                raise UncertainWriteError(
                    f"TinyPSA {label}: no answer ({type(exc).__name__}); the write may have been made",
                    settle_after=self.timeout[1] if what == "timed out" else 0.0,
                ) from exc
            raise ProviderError(f"TinyPSA {label}: {what} ({type(exc).__name__}); check psa.endpoint") from exc

    def _refused(self, method: str, path: str, response: requests.Response) -> ProviderError:
        status, text = response.status_code, _vendor_message(response)
        meaning = {
            401: f"TinyPSA rejected the token; check {self.token_setting}",
            403: "the token lacks a permission this call needs",
            404: "not found",
            409: "TinyPSA refused the change in the record's current state",
            429: "rate limited by TinyPSA; try again later",
        }.get(status, "TinyPSA refused the request" if status < 500 else "TinyPSA failed")
        message = f"TinyPSA {method} {_label(path)}: HTTP {status}, {meaning}" + (f": {text}" if text else "")
        if method != "GET" and status in UNCLEAR_STATUSES:
            return UncertainWriteError(message + "; the write may have been made", status=status, vendor_message=text)
        return ProviderError(message, status=status, vendor_message=text)


def _vendor_message(response: requests.Response) -> str:
    """`error.message` of TinyPSA's `{error: {code, message}}`; else the start of the text."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("message") or "").strip()
    except (ValueError, AttributeError):
        return " ".join(response.text.split())[:200]


def _never_sent(exc: Exception) -> bool:
    """The connection was never made, so the write certainly was not received."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _label(path: str) -> str:
    """`/plans/{id}/items` from any path of the API (no query string: it is noise)."""
    return _ID_SEGMENT.sub("/{id}", path.split("?", 1)[0]) or "/"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
