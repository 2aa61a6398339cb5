"""The Xero REST client: the only module of this provider that talks HTTP.

Auth: a custom connection's access token (client credentials, `auth.py`) in a Bearer
header, and the organisation's `Xero-Tenant-Id` (configured, or the one organisation the
connection reaches, from `GET /connections`). Every accounting call goes through Xero's
limits (`limits.py`). Lists: repeating invoices and items come whole in one call; invoices
and contacts are paged (`page`, `pageSize`, the answer's `pagination`). Reads retry on
429/5xx as Retry-After asks (HttpClient); writes never do, except a 429 (not processed).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from providers.http import HttpClient, Response, RetryPolicy
from providers.transport import Transport
from providers.xero.auth import DEFAULT_TOKEN_URL, TokenSource
from providers.xero.limits import CallLimits
from reconciler.errors import ProviderError

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://api.xero.com"
API_ROOT = "/api.xro/2.0"
PAGE_SIZE = 1000  # Xero's largest page
MAX_PAGES = 1000
IDS_PER_CALL = 40  # ids in one `IDs=`/`ContactIDs=` list: about 1,500 characters of URL
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
Record = dict[str, Any]


class XeroClient(HttpClient):
    vendor = "Xero"
    not_json_hint = "check psa.endpoint"

    def __init__(
        self,
        endpoint: str,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = DEFAULT_TOKEN_URL,
        tenant_id: str | None = None,
        scopes: str | None = None,
        limits: CallLimits | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        transport: Transport | None = None,
        page_size: int = PAGE_SIZE,
    ):
        self.endpoint = endpoint.rstrip("/")
        super().__init__(
            f"{self.endpoint}{API_ROOT}", timeout=timeout, retry=retry or RetryPolicy(), transport=transport
        )
        self.token_url = token_url
        self.client_id = client_id  # not a secret: names the custom connection
        self._credentials = (client_id, client_secret)
        self.tokens = TokenSource(self._fetch_token, scopes=scopes)
        self.limits = limits or CallLimits()
        self.page_size = max(1, min(int(page_size), PAGE_SIZE))
        self.configured_tenant = tenant_id  # psa.tenant_id, if set
        self._tenant = tenant_id
        self._tenant_lock = threading.Lock()
        self.headers["Accept"] = "application/json"

    # -- the organisation ---------------------------------------------------------------

    def connections(self) -> list[Record]:
        """`GET /connections`: the organisations the connection reaches (identity API)."""
        response = self.read("GET", f"{self.endpoint}/connections")
        return [c for c in self.decoded(response, "GET", "/connections", list) if isinstance(c, dict)]

    def tenant_id(self) -> str:
        """The organisation's id: configured, or the only organisation of the connection."""
        with self._tenant_lock:
            if self._tenant is None:
                self._tenant = _only_organisation(self.connections())
            return self._tenant

    def use_organisation(self, tenant_id: str) -> None:
        """Send `tenant_id` as the organisation from now on (one `/connections` read is enough)."""
        with self._tenant_lock:
            self._tenant = tenant_id

    # -- reads --------------------------------------------------------------------------

    def repeating_invoices(self) -> list[Record]:
        """Every repeating invoice of the organisation, with its lines: one call."""
        return self._list("GET", "/RepeatingInvoices", "RepeatingInvoices")

    def repeating_invoice(self, invoice_id: str) -> Record:
        return self._one(
            "GET", f"/RepeatingInvoices/{invoice_id}", "RepeatingInvoices", f"repeating invoice {invoice_id}"
        )

    def items(self) -> list[Record]:
        return self._list("GET", "/Items", "Items")

    def contacts(self, ids: Iterable[str]) -> list[Record]:
        """The contacts with these ids (archived ones too), a list of ids per call."""
        wanted = sorted(set(ids))
        found: list[Record] = []
        for at in range(0, len(wanted), IDS_PER_CALL):
            params = {"IDs": ",".join(wanted[at : at + IDS_PER_CALL]), "includeArchived": "true", "summaryOnly": "true"}
            found += self._pages("/Contacts", "Contacts", params)
        return found

    def all_contacts(self) -> list[Record]:
        """Every active contact (all pages), for automap."""
        return list(self._pages("/Contacts", "Contacts", {"summaryOnly": "true"}))

    def invoices_by_us(self, *, statuses: Iterable[str], modified_since: datetime | None) -> list[Record]:
        """The invoices this connection created (`createdByMyApp`), all pages."""
        params = {"createdByMyApp": "true", "Statuses": ",".join(statuses)}
        headers = {"If-Modified-Since": _http_time(modified_since)} if modified_since else {}
        return list(self._pages("/Invoices", "Invoices", params, headers=headers))

    def invoice(self, invoice_id: str) -> Record:
        return self._one("GET", f"/Invoices/{invoice_id}", "Invoices", f"invoice {invoice_id}")

    # -- writes -------------------------------------------------------------------------

    def save_repeating_invoice(self, invoice_id: str, record: Record) -> Record:
        """`POST /RepeatingInvoices/{id}`: Xero replaces the template's lines with these."""
        return self._one(
            "POST",
            f"/RepeatingInvoices/{invoice_id}",
            "RepeatingInvoices",
            f"repeating invoice {invoice_id}",
            {"RepeatingInvoices": [record]},
        )

    def create_invoice(self, record: Record) -> Record:
        return self._one("PUT", "/Invoices", "Invoices", "the new invoice", {"Invoices": [record]})

    def save_invoice(self, invoice_id: str, record: Record) -> Record:
        return self._one("POST", f"/Invoices/{invoice_id}", "Invoices", f"invoice {invoice_id}", {"Invoices": [record]})

    # -- HttpClient hooks ---------------------------------------------------------------

    def request_label(self, path: str) -> str:
        rest = path.split("?", 1)[0]
        for root in (f"{self.endpoint}{API_ROOT}", self.endpoint):
            if rest.startswith(root):
                rest = rest[len(root) :]
                break
        return _UUID.sub("{id}", rest) or "/"

    def vendor_message(self, response: Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return super().vendor_message(response)
        return error_text(body) or super().vendor_message(response)

    def describe_status(self, status: int) -> str:
        return {
            400: "Xero refused the request",
            401: "Xero refused the access token (check the custom connection's client id and secret)",
            403: "the connection may not use this organisation or lacks a scope (check psa.tenant_id and the app's scopes)",
            404: "not found (check the id)",
            429: "Xero's call limit was reached; try again later",
        }.get(status, super().describe_status(status))

    def _send(self, method: str, path: str, **kwargs: Any) -> Response:
        url = self.url(path)
        if url == self.token_url:
            return super()._send(method, path, **kwargs)
        response, token = self._authorised(method, path, url, kwargs)
        if response.status_code == 401:  # an expired or revoked token: one more try with a new one
            self.tokens.drop(token)
            response, _ = self._authorised(method, path, url, kwargs)
        return response

    # -- internals ----------------------------------------------------------------------

    def _authorised(self, method: str, path: str, url: str, kwargs: dict[str, Any]) -> tuple[Response, str]:
        token = self.tokens.bearer()
        headers = {**(kwargs.get("headers") or {}), "Authorization": f"Bearer {token}"}
        if not url.startswith(f"{self.endpoint}/connections"):
            headers["Xero-Tenant-Id"] = self.tenant_id()
        with self.limits.call():
            response = super()._send(method, path, **{**kwargs, "headers": headers})
        self.limits.observe(response.headers)
        return response, token

    def _fetch_token(self, form: dict[str, str]) -> Any:
        try:
            response = self.read("POST", self.token_url, data=form, auth=self._credentials)
        except ProviderError as exc:
            if exc.status in (400, 401):
                raise ProviderError(
                    f"Xero refused the custom connection's client id or secret ({exc.vendor_message or exc}); "
                    "check psa.client_id and psa.client_secret",
                    status=401,
                    vendor_message=exc.vendor_message,
                ) from exc
            raise
        return self.decoded(response, "POST", "/connect/token", dict)

    def _list(
        self,
        method: str,
        path: str,
        key: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> list[Record]:
        response = self.read(method, path, params=params, headers=headers)
        return records_of(self.decoded(response, method, path, dict), key, f"Xero {method} {path}")

    def _one(self, method: str, path: str, key: str, what: str, body: Record | None = None) -> Record:
        label = self.request_label(path)
        response = self.read(method, path) if body is None else self.write(method, path, json=body)
        found = records_of(self.decoded(response, method, label, dict), key, f"Xero {method} {label}")
        if len(found) != 1:
            raise ProviderError(f"Xero {method} {label}: expected {what} in the answer, got {len(found)} records")
        problem = (
            error_text({"Elements": found}) if found[0].get("HasErrors") or found[0].get("ValidationErrors") else ""
        )
        if problem:
            raise ProviderError(
                f"Xero {method} {label}: {what} was refused: {problem}", status=400, vendor_message=problem
            )
        return found[0]

    def _pages(
        self, path: str, key: str, params: dict[str, str], headers: dict[str, str] | None = None
    ) -> Iterator[Record]:
        for page in range(1, MAX_PAGES + 1):
            response = self.read(
                "GET", path, params={**params, "page": str(page), "pageSize": str(self.page_size)}, headers=headers
            )
            body = self.decoded(response, "GET", path, dict)
            records = records_of(body, key, f"Xero GET {path}")
            yield from records
            pagination = body.get("pagination")
            count = pagination.get("pageCount") if isinstance(pagination, dict) else None
            if (isinstance(count, int) and page >= count) or len(records) < self.page_size:
                return
        raise ProviderError(f"Xero GET {path}: more than {MAX_PAGES} pages; stopped")


def records_of(body: Record, key: str, where: str) -> list[Record]:
    """The record list `key` of an answer; a missing or damaged list is an error, never "none"."""
    records = body.get(key)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ProviderError(f"{where}: the answer has no {key} list")
    return records


def error_text(body: Any) -> str:
    """Xero's own words: `Message` and each `Elements[].ValidationErrors[].Message`, an
    identity error's `error`, or a problem's `Detail`/`Title`."""
    if not isinstance(body, dict):
        return ""
    if body.get("error"):
        return " ".join(str(body[k]) for k in ("error", "error_description") if body.get(k))
    parts = [str(body["Message"]).strip()] if body.get("Message") else []
    for element in body.get("Elements") or []:
        for error in (element.get("ValidationErrors") or []) if isinstance(element, dict) else []:
            if isinstance(error, dict) and error.get("Message"):
                parts.append(str(error["Message"]).strip())
    if not parts:
        parts = [str(body[k]) for k in ("Title", "Detail") if body.get(k)]
    if not parts:
        return ""
    first, *rest = parts
    return f"{first}: {'; '.join(rest)}" if rest else first


def is_xero_id(value: object) -> bool:
    """True for a UUID, the form of every Xero id (a list of ids Xero cannot parse fails whole)."""
    return isinstance(value, str) and _UUID.fullmatch(value.strip()) is not None


def _only_organisation(connections: list[Record]) -> str:
    organisations = [c for c in connections if str(c.get("tenantType", "ORGANISATION")).upper() == "ORGANISATION"]
    if len(organisations) == 1 and organisations[0].get("tenantId"):
        return str(organisations[0]["tenantId"])
    names = ", ".join(f"{c.get('tenantName')} ({c.get('tenantId')})" for c in organisations)
    if not organisations:
        raise ProviderError("Xero: the connection reaches no organisation; connect one to the custom connection")
    raise ProviderError(
        f"Xero: the connection reaches {len(organisations)} organisations ({names}); "
        "set psa.tenant_id to the one to sync"
    )


def _http_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
