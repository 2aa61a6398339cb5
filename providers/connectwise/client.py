"""The ConnectWise Manage REST client: the only module of this provider that talks HTTP.

Auth is HTTP Basic `companyId+publicKey:privateKey` plus the integration's `clientId` header;
the response model is pinned with the Accept header. Lists are read 1,000 records a page,
following the `Link: <...>; rel="next"` header (or, when a server sends none, asking for the
next page number until a short page). Reads retry on 429/5xx (HttpClient); writes never do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from providers.connectwise import conditions as cond
from providers.http import HttpClient, Response, RetryPolicy
from providers.transport import Transport, basic_auth
from reconciler.errors import ProviderError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

API_VERSION = "2026.4"
ACCEPT = f"application/vnd.connectwise.com+json; version={API_VERSION}"
DEFAULT_CODEBASE = "v4_6_release"
PAGE_SIZE = 1000  # the vendor's hard maximum
# Requests in flight at once. ConnectWise publishes no concurrency limit and answers 429
# with Retry-After when it wants fewer (which the client waits out). A nightly plan is one
# additions read per agreement: at 200-250 ms an answer, 5,000 agreements take about 5 min
# four at a time and about 2 min ten at a time (bench/README.md, "At vendor latency").
DEFAULT_PARALLELISM = 10
MAX_PAGES = 10_000  # a server that ignores `page` must not keep us looping forever
API_ROOT = "/apis/3.0"

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class ConnectWiseClient(HttpClient):
    vendor = "ConnectWise"
    not_json_hint = "check the site URL and the codebase"

    def __init__(
        self,
        site_url: str,
        *,
        company_id: str,
        public_key: str,
        private_key: str,
        client_id: str,
        codebase: str = DEFAULT_CODEBASE,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,  # None: the shared clock (reconciler/clock.py)
        transport: Transport | None = None,
        parallelism: int = DEFAULT_PARALLELISM,
        page_size: int = PAGE_SIZE,
    ):
        base = f"{site_url.rstrip('/')}/{codebase.strip('/')}{API_ROOT}"
        self.site_url = site_url.rstrip("/")
        self.codebase = codebase.strip("/")
        self.parallelism = max(1, int(parallelism))
        # one pooled connection per worker thread, so parallel reads do not queue
        pool = max(10, self.parallelism)
        super().__init__(base, timeout=timeout, retry=retry, sleep=sleep, transport=transport, pool_size=pool)
        self.page_size = min(max(1, int(page_size)), PAGE_SIZE)
        self.headers.update(
            {
                "Authorization": basic_auth(f"{company_id}+{public_key}", private_key),
                "clientId": client_id,
                "Accept": ACCEPT,
            }
        )

    # -- reads --------------------------------------------------------------------------

    def companies(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        return self._list_in("/company/companies", cond.ids_in("id", ids))

    def agreements(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        return self._list_in("/finance/agreements", cond.ids_in("id", ids))

    def all_companies(self) -> list[dict[str, Any]]:
        """Every company that is not deleted (all pages); for automap."""
        return self.get_all("/company/companies", "deletedFlag = false")

    def active_agreements(self) -> list[dict[str, Any]]:
        """Every active, uncancelled agreement of every company (all pages); for automap."""
        return self.get_all("/finance/agreements", 'agreementStatus = "Active" and cancelledFlag = false')

    def catalog_items(self, identifiers: Iterable[str]) -> list[dict[str, Any]]:
        return self._list_in("/procurement/catalog", cond.strings_in("identifier", identifiers))

    def additions(self, agreement_id: int, *, since: date) -> list[dict[str, Any]]:
        """The agreement's additions not cancelled before `since` (all pages)."""
        path = f"/finance/agreements/{int(agreement_id)}/additions"
        conditions = cond.not_cancelled_before(since)
        return self._not_found_as(f"agreement {agreement_id}", lambda: self.get_all(path, conditions))

    def additions_of(self, agreement_ids: Iterable[int], *, since: date) -> dict[int, list[dict[str, Any]]]:
        """`additions` of several agreements, at most `parallelism` requests at a time.

        The result is ordered by agreement id whatever order the answers arrive in."""
        ids = sorted(set(agreement_ids))
        if len(ids) <= 1 or self.parallelism == 1:
            return {i: self.additions(i, since=since) for i in ids}
        with ThreadPoolExecutor(max_workers=self.parallelism, thread_name_prefix="cw-read") as pool:
            results = list(pool.map(lambda i: self.additions(i, since=since), ids))
        return dict(zip(ids, results, strict=False))

    def company_info(self, company_id: str) -> dict[str, Any]:
        """`GET {site}/login/companyinfo/{company}`: the company's codebase, as clients find it."""
        path = f"{self.site_url}/login/companyinfo/{company_id}"
        response = self.read("GET", path)
        return self.decoded(response, "GET", "/login/companyinfo/{company}", dict)

    def count(self, path: str, conditions: str | None = None) -> int:
        """`GET {path}/count`: one request, for checks that only need to know a read works."""
        params = {"conditions": conditions} if conditions else None
        body = self.decoded(self.read("GET", f"{path}/count", params=params), "GET", f"{path}/count", dict)
        try:
            return int(body["count"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"ConnectWise GET {path}/count: unexpected answer {body!r}") from exc

    def get_all(self, path: str, conditions: str | None = None) -> list[dict[str, Any]]:
        """Every record of a list endpoint (all pages), in the server's order."""
        return list(self._pages(path, conditions))

    # -- writes -------------------------------------------------------------------------

    def create_addition(self, agreement_id: int, body: dict[str, Any]) -> dict[str, Any]:
        path = f"/finance/agreements/{int(agreement_id)}/additions"
        response = self._not_found_as(f"agreement {agreement_id}", lambda: self.write("POST", path, json=body))
        return self.decoded(response, "POST", path, dict)

    def patch_addition(self, agreement_id: int, addition_id: int, operations: list[dict[str, Any]]) -> dict[str, Any]:
        path = f"/finance/agreements/{int(agreement_id)}/additions/{int(addition_id)}"
        response = self._not_found_as(
            f"addition {addition_id} on agreement {agreement_id}",
            lambda: self.write("PATCH", path, json=operations),
        )
        return self.decoded(response, "PATCH", path, dict)

    # -- bookkeeping and hooks ------------------------------------------------------------

    def request_label(self, path: str) -> str:
        return _label(path)

    def vendor_message(self, response: Response) -> str:
        """`message` of CW's `{code, message, errors[]}` body, with each field error."""
        try:
            body = response.json()
        except ValueError:
            return super().vendor_message(response)
        if not isinstance(body, dict) or not body.get("message"):
            return super().vendor_message(response)
        parts = [str(body["message"]).strip()]
        for error in body.get("errors") or []:
            if isinstance(error, dict) and error.get("message"):
                field = error.get("field") or error.get("resource") or ""
                parts.append(f"{field}: {error['message']}" if field else str(error["message"]))
        code = body.get("code")
        text = "; ".join(parts)
        return f"{text} ({code})" if code else text

    def describe_status(self, status: int) -> str:
        return {
            400: "ConnectWise refused the request",
            401: "ConnectWise rejected the API keys (company id + public key / private key)",
            403: "the API member's security role lacks a permission this call needs",
            404: "not found (check the id, the site URL and the codebase)",
            409: "the record is in use or was changed by someone else",
            429: "rate limited by ConnectWise; try again later",
        }.get(status, super().describe_status(status))

    # -- internals ----------------------------------------------------------------------

    def _list_in(self, path: str, conditions: list[str]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for condition in conditions:
            records.extend(self._pages(path, condition))
        return records

    def _pages(self, path: str, conditions: str | None) -> Iterator[dict[str, Any]]:
        base_params: dict[str, Any] = {"pageSize": self.page_size}
        if conditions:
            base_params["conditions"] = conditions
        url: str = _with_query(path, {**base_params, "page": 1})
        for page in range(1, MAX_PAGES + 1):
            response = self.read("GET", url)
            records = self.decoded(response, "GET", path, list)
            yield from records
            next_link = response.links.get("next")
            if next_link:
                url = self._rebased(next_link)
            elif "Link" in response.headers or len(records) < self.page_size:
                return
            else:
                url = _with_query(path, {**base_params, "page": page + 1})
        raise ProviderError(f"ConnectWise GET {path}: more than {MAX_PAGES} pages; stopped")

    def _rebased(self, link: str) -> str:
        """A `next` link on our own base URL: the server may name itself by another host
        name than the one we call, and credentials must only go to the configured site."""
        parts = urlsplit(link)
        at = parts.path.find(API_ROOT)
        if at < 0:
            raise ProviderError(f"ConnectWise sent a paging link outside the API: {parts.path}")
        rest = parts.path[at + len(API_ROOT) :]
        return self.url(rest + (f"?{parts.query}" if parts.query else ""))

    def _not_found_as(self, what: str, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except ProviderError as exc:
            if exc.status != 404:
                raise
            message = f"{exc}".replace(", not found", f", {what} was not found", 1)
            raise ProviderError(message, status=404, vendor_message=exc.vendor_message) from exc


def _with_query(path: str, params: dict[str, Any]) -> str:
    """`path?query`: the page number changes from call to call, so the URL is built here
    rather than from `params=`."""
    return f"{path}?{urlencode(params)}"


def _label(path: str) -> str:
    """`/finance/agreements/{id}/additions` from any URL or path of the API."""
    parts = urlsplit(path)
    rest = parts.path
    at = rest.find(API_ROOT)
    if at >= 0:
        rest = rest[at + len(API_ROOT) :]
    return _ID_SEGMENT.sub("/{id}", rest) or "/"
