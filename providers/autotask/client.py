"""The Autotask REST client: the only module of this provider that talks HTTP.

Every call carries the `ApiIntegrationCode`, `UserName` and `Secret` headers. The database's
zone is discovered once through `zoneInformation` (or given as `zone_url`). Queries are
`POST /{Entity}/query` with a JSON filter, 500 records a page. The next page is the same
query with `id gt` the page's last id, not `pageDetails.nextPageUrl`: Autotask does not say
whether that link is called with GET or with the query's POST again, and paging by id is
right either way (Autotask answers queries in ascending id order; a page that is not is an
error, never a page skipped). Reads, queries included, retry on 429/5xx (HttpClient);
creates and updates never.
At most `parallelism` requests (three at the most) are in flight at once per endpoint,
because Autotask limits each integration to three threads per endpoint (an endpoint is an
entity: its queries, next pages and child URLs alike; `QueryPool` keeps several busy at
once); the request budget is checked before each request.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

from providers import endpoint
from providers.autotask.budget import RequestBudget, ThresholdReading
from providers.autotask.errors import credential_hint, error_texts, never_heals
from providers.autotask.filters import Filter, in_chunks
from providers.http import HttpClient, Response, RetryPolicy
from providers.transport import Transport
from reconciler.errors import ProviderError, UncertainWriteError

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://webservices.autotask.net"
API_ROOT = "/atservicesrest"
VERSION = "/v1.0"
PAGE_SIZE = 500  # the vendor's maximum `maxRecords`
MAX_CONCURRENT = 3  # Autotask's thread limit per endpoint and integration
MAX_PAGES = 10_000
_VERSIONED = re.compile(r"/v1\.0(?=/|$)", re.IGNORECASE)
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
_EXEMPT = ("/zoneinformation", "/thresholdinformation")  # not budgeted: how the budget is read
# A child collection of a contract is its own entity: `PATCH /Contracts/{id}/Services`
# addresses ContractServices, as `POST /ContractServices/query` does.
CHILD_ENTITIES = {
    "services": "ContractServices",
    "serviceunits": "ContractServiceUnits",
    "charges": "ContractCharges",
    "serviceadjustments": "ContractServiceAdjustments",
}

T = TypeVar("T")


class AutotaskClient(HttpClient):
    vendor = "Autotask"
    not_json_hint = "check the endpoint and zone URL"

    def __init__(
        self,
        *,
        username: str,
        secret: str,
        integration_code: str,
        endpoint: str = DEFAULT_ENDPOINT,
        zone_url: str | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,  # None: the shared clock (reconciler/clock.py)
        transport: Transport | None = None,
        parallelism: int = MAX_CONCURRENT,
        budget: RequestBudget | None = None,
        page_size: int = PAGE_SIZE,
    ):
        # a pooled connection for every request that may be in flight, several endpoints at once
        pool = MAX_CONCURRENT * 8
        super().__init__("", timeout=timeout, retry=retry, sleep=sleep, transport=transport, pool_size=pool)
        self.endpoint = endpoint.rstrip("/")
        self.username = username
        self.parallelism = min(max(1, int(parallelism)), MAX_CONCURRENT)
        self.page_size = min(max(1, int(page_size)), PAGE_SIZE)
        self.budget = budget or RequestBudget(sleep=self.sleep)
        self._zone_url = zone_root(zone_url) if zone_url else None
        self._zone_lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}  # per endpoint
        self._slots_lock = threading.Lock()
        self.headers.update(
            {
                "ApiIntegrationCode": integration_code,
                "UserName": username,
                "Secret": secret,
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
        )

    # -- zone -----------------------------------------------------------------------------

    @property
    def zone_url(self) -> str:
        """The database's zone, e.g. `https://webservices5.autotask.net/atservicesrest`,
        discovered on first use and kept for the life of the client."""
        with self._zone_lock:
            if self._zone_url is None:
                self._zone_url = self._discover_zone()
            return self._zone_url

    @property
    def known_zone_url(self) -> str | None:
        """The zone when it is already known (no discovery)."""
        return self._zone_url

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.zone_url}{VERSION}/{path.lstrip('/')}"

    def _discover_zone(self) -> str:
        where = f"{self.endpoint}{API_ROOT}{VERSION}/zoneInformation"
        try:
            response = self.read("GET", where, params={"user": self.username})
        except ProviderError as exc:
            hint = (
                ""
                if "check psa.username" in str(exc)
                else (". Check psa.username (the API user's full user name) or set psa.zone_url")
            )
            raise ProviderError(
                f"Autotask zone discovery for the API user failed: {exc}{hint}",
                status=exc.status,
                vendor_message=exc.vendor_message,
            ) from exc
        body = self.decoded(response, "GET", "/zoneInformation")
        url = str((body or {}).get("url") or "") if isinstance(body, dict) else ""
        if not url.startswith(("https://", "http://")):
            raise ProviderError(
                "Autotask zone discovery answered no zone URL for the API user; check psa.username or set psa.zone_url"
            )
        if not endpoint.allowed(url):  # the credentials would travel unencrypted
            raise ProviderError(
                f"Autotask zone discovery answered {url!r}, which is neither https nor "
                "on this machine; set psa.zone_url to the database's https zone"
            )
        zone = zone_root(url)
        log.info("autotask.client: zone=%s", zone)
        return zone

    # -- reads ----------------------------------------------------------------------------

    def threshold(self) -> ThresholdReading:
        response = self.read("GET", "/ThresholdInformation")
        body = self.decoded(response, "GET", "/ThresholdInformation", dict)
        try:
            return ThresholdReading(
                threshold=int(body.get("externalRequestThreshold") or 0),
                timeframe_minutes=int(body.get("requestThresholdTimeframe") or 60),
                used=int(body.get("currentTimeframeRequestCount") or 0),
            )
        except (TypeError, ValueError) as exc:
            raise ProviderError(f"Autotask GET /ThresholdInformation: unexpected answer {body!r}") from exc

    def query(self, entity: str, filters: list[Filter], *, include_fields: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Every record of `entity` matching all `filters` (all pages), in ascending id.

        A page is the query again with `id gt` the last id read (see the module's docstring).
        It ends the query when it is short and Autotask gives no next page; a full page, or
        one with a `nextPageUrl`, means more may follow."""
        path = f"/{entity}/query"
        fields = list(include_fields)
        if fields and "id" not in fields:
            fields.append("id")  # the page's last id says where the next one starts
        records: list[dict[str, Any]] = []
        last: int | None = None
        for _ in range(MAX_PAGES):
            after = [{"op": "gt", "field": "id", "value": last}] if last is not None else []
            body: dict[str, Any] = {"filter": [*filters, *after], "maxRecords": self.page_size}
            if fields:
                body["includeFields"] = fields
            page = self.decoded(self.read("POST", path, json=body), "POST", path, dict)
            items = page.get("items")
            if not isinstance(items, list):
                raise ProviderError(f"Autotask POST {path}: the answer has no `items` list")
            ids = _ascending_ids(items, after=last, where=f"Autotask POST {path}")
            records.extend(items)
            more = len(items) >= self.page_size or (page.get("pageDetails") or {}).get("nextPageUrl")
            if not more or not ids:
                return records
            last = ids[-1]
        raise ProviderError(f"Autotask POST {path}: more than {MAX_PAGES} pages; stopped")

    def count(self, entity: str, filters: list[Filter]) -> int:
        """`POST /{Entity}/query/count`: one request, for checks that only need a read to work."""
        path = f"/{entity}/query/count"
        body = self.decoded(self.read("POST", path, json={"filter": filters}), "POST", path, dict)
        try:
            return int(body["queryCount"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"Autotask POST {path}: unexpected answer {body!r}") from exc

    def query_in(
        self,
        entity: str,
        field: str,
        values: Iterable[int | str],
        *,
        also: Iterable[Filter] = (),
        include_fields: Iterable[str] = (),
    ) -> list[dict[str, Any]]:
        """`query` with `field in values`, one query per 500 values; none for no values."""
        extra, fields = list(also), list(include_fields)
        records: list[dict[str, Any]] = []
        for chunk in in_chunks(field, values):
            records.extend(self.query(entity, [chunk, *extra], include_fields=fields))
        return records

    def gather(self, calls: dict[str, Callable[[], T]]) -> dict[str, T]:
        """Run independent reads on up to `parallelism` threads; the first error is raised."""
        if self.parallelism == 1 or len(calls) <= 1:
            return {name: call() for name, call in calls.items()}
        with ThreadPoolExecutor(max_workers=self.parallelism, thread_name_prefix="at-read") as pool:
            futures = {name: pool.submit(call) for name, call in calls.items()}
            return {name: future.result() for name, future in futures.items()}

    # -- writes ---------------------------------------------------------------------------

    def create(self, path: str, body: dict[str, Any]) -> int:
        """POST a new record; the id Autotask gives it (`{"itemId": N}`)."""
        return self._item_id(self.write("POST", path, json=body), "POST", path)

    def update(self, path: str, body: dict[str, Any]) -> int:
        """PATCH the collection URL with `id` and only the fields to change."""
        return self._item_id(self.write("PATCH", path, json=body), "PATCH", path)

    # -- hooks ----------------------------------------------------------------------------

    def request_label(self, path: str) -> str:
        """`/Contracts/{id}/Services` from any URL or path of the API."""
        rest = urlsplit(path).path
        found = _VERSIONED.search(rest)
        if found:
            rest = rest[found.end() :]
        return _ID_SEGMENT.sub("/{id}", rest) or "/"

    def vendor_message(self, response: Response) -> str:
        """The `errors` of Autotask's `{"errors": [...]}` body, joined; else its `Message`."""
        texts = error_texts(response)
        if texts:
            return "; ".join(texts)[:600]
        try:
            body = response.json()
        except ValueError:
            body = None
        message = (body.get("message") or body.get("Message")) if isinstance(body, dict) else None
        return str(message)[:600] if message else super().vendor_message(response)

    def describe_status(self, status: int) -> str:
        return {
            400: "Autotask refused the request",
            401: "Autotask knows the API user but refused its secret (check psa.secret, and "
            "that psa.username is that API user's)",
            403: "the API user's security level lacks a permission this call needs",
            404: "not found (check the id and the zone URL)",
            405: "Autotask does not accept this method on this URL",
            429: "Autotask's request threshold or thread limit was reached; try again later",
            500: "Autotask refused the request",
        }.get(status, super().describe_status(status))

    def _send(self, method: str, path: str, **kwargs: Any) -> Response:
        target = self.url(path)  # zone discovery happens here, outside the request slots
        if not urlsplit(target).path.lower().endswith(_EXEMPT):
            self.budget.admit(self.threshold)
        with self._slot(target):
            response = super()._send(method, target, **kwargs)
        # a 500 that never heals is reported at once: each try would spend a request of the
        # hourly threshold (errors.py)
        if response.status_code == 500 and never_heals(path, response, self.vendor_message(response)):
            self._checked(method, path, response)
        return response

    def _checked(
        self, method: str, path: str, response: Response, *, write: bool = False, gave_up: str = ""
    ) -> Response:
        """The vendor's error, plus which credential to check when it is a credential error."""
        try:
            return super()._checked(method, path, response, write=write, gave_up=gave_up)
        except ProviderError as exc:
            hint = credential_hint(response.status_code, exc.vendor_message)
            if not hint:
                raise
            raise ProviderError(f"{exc}; {hint}", status=exc.status, vendor_message=exc.vendor_message) from None

    # -- internals ------------------------------------------------------------------------

    def entity_of(self, path: str) -> str:
        """The endpoint a call counts against for Autotask's thread limit: its entity."""
        parts = [p for p in self.request_label(path).split("/") if p]
        if not parts:
            return "/"
        if parts[0].lower() == "contracts" and len(parts) >= 3 and parts[2].lower() in CHILD_ENTITIES:
            return CHILD_ENTITIES[parts[2].lower()]
        return parts[0]

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        """At most `MAX_CONCURRENT` requests in flight per endpoint, whatever calls them."""
        endpoint = self.entity_of(url).lower()
        with self._slots_lock:
            if endpoint not in self._slots:
                self._slots[endpoint] = threading.BoundedSemaphore(self.parallelism)
            return self._slots[endpoint]

    def _item_id(self, response: Response, method: str, path: str) -> int:
        where = f"Autotask {method} {self.request_label(path)}"
        try:
            body = self.decoded(response, method, self.request_label(path), dict)
            return int(str(body["itemId"]))
        except (ProviderError, KeyError, TypeError, ValueError) as exc:
            # Autotask said yes (2xx) without saying to what: the record was most likely made.
            raise UncertainWriteError(
                f"{where}: HTTP {response.status_code} but the answer has no item id; the write may have been made"
            ) from exc


def _ascending_ids(items: list[Any], *, after: int | None, where: str) -> list[int]:
    """The page's record ids, each above the one before it (and above `after`): what paging
    by id relies on. A page out of that order would make the next one skip records, so it
    stops the read instead."""
    ids: list[int] = []
    for item in items:
        try:
            ids.append(int(str(item["id"])))
        except (KeyError, TypeError, ValueError):
            raise ProviderError(f"{where}: a record without a numeric id ({item!r:.80}); cannot page past it") from None
    previous = after
    for found in ids:
        if previous is not None and found <= previous:
            raise ProviderError(
                f"{where}: records came out of id order ({previous} then {found}); ncesync pages by id and "
                "would skip records, so it stopped the read"
            )
        previous = found
    return ids


def zone_root(url: str) -> str:
    """`https://webservicesN.autotask.net/atservicesrest` from the zone URL in any usual form."""
    root = url.strip().rstrip("/")
    found = _VERSIONED.search(root)
    if found:
        root = root[: found.start()]
    if not root.lower().endswith(API_ROOT):
        root += API_ROOT
    return root
