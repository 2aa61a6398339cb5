"""The Dicker Data B2B API client: the only module of this provider that talks HTTP.

It exchanges the long-lived access token for a short-lived access key, caches the key,
renews it shortly before it expires and once when a call is refused (401/403 or a
`Status: DENIED` answer), then repeats that call once. Every failure is a SourceError whose
text has the token and keys masked.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from providers.dickerdata.accesskey import AccessKey, is_denied
from providers.dickerdata.transport import Credentials, KeyTransport
from providers.http import HttpClient, Response
from reconciler.errors import ProviderError, SourceError
from reconciler.secrets import Redactor, protect

log = logging.getLogger(__name__)
_T = TypeVar("_T")

DEFAULT_BASE_URL = "https://b2b-api.dickerdata.com.au"
KEY_PATH = "/api/AccessKeyRequest"
SUBSCRIPTIONS_PATH = "/api/Subscriptions/GetSubscriptionDetails"
INVOICES_PATH = "/api/Account/Invoice"
INVOICE_DETAILS_PATH = "/api/Account/InvoiceDetails"
SUBSCRIPTION_TYPE = "CSP"
REFUSED = frozenset({401, 403})


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DickerDataClient(HttpClient):
    """One Dicker Data account. All calls are reads: none of them changes anything at DD."""

    vendor = "Dicker Data"

    def __init__(
        self,
        base_url: str,
        *,
        account_code: str,
        access_token: str,
        key_transport: KeyTransport = KeyTransport(),
        now: Callable[[], datetime] = _utc_now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        **http: Any,
    ):
        super().__init__(base_url, **http)
        self.account_code = account_code
        self._token = access_token
        protect(access_token)
        self.key_transport = key_transport
        self.now = now
        self.new_id = new_id
        self._key: AccessKey | None = None
        self._keys_seen: list[str] = []

    # -- the calls the provider makes ---------------------------------------------------

    def subscription_details(self, tenant_id: str | None = None) -> Any:
        """GetSubscriptionDetails for one tenant, or for every tenant when `tenant_id` is None."""
        query: dict[str, Any] = {"SubscriptionType": SUBSCRIPTION_TYPE}
        if tenant_id is not None:
            query = {"TenantID": tenant_id, **query}
        return self._call("POST", SUBSCRIPTIONS_PATH, body={"In": query})

    def invoices(self, start: date, end: date) -> Any:
        """The account's invoices dated from `start` to `end`."""
        params = {"startDate": start.isoformat(), "endDate": end.isoformat()}
        return self._call("GET", INVOICES_PATH, params=params)

    def invoice_details(self, number: str) -> Any:
        return self._call("GET", INVOICE_DETAILS_PATH, params={"salesOrderNumber": number})

    # -- access key ---------------------------------------------------------------------

    def access_key(self) -> AccessKey:
        """The cached key, or a new one when there is none or it is about to expire."""
        if self._key is None or not self._key.is_fresh(self.now()):
            self._key = self._request_key()
        return self._key

    def _request_key(self) -> AccessKey:
        where = f"{self.vendor} POST {KEY_PATH}"
        body = {
            "TransactionID": self.new_id(),
            "AccessToken": self._token,
            "AccountCode": self.account_code,
        }
        # The key request is a POST but changes nothing at DD, so it is retried like a read.
        response = self._masked(lambda: self.read("POST", KEY_PATH, json=body))
        key = self._masked(lambda: AccessKey.from_answer(self._json(response, where), where))
        self._keys_seen.append(key.value)
        protect(key.value)
        log.info(
            "dickerdata: access key granted account=%s expires=%s",
            self.account_code,
            key.expires.isoformat(),
        )
        return key

    # -- one authenticated call -----------------------------------------------------------

    def _call(
        self, method: str, path: str, *, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Send once; on a refused key, renew the key and send once more."""
        where = f"{self.vendor} {method} {path}"
        for attempt in (1, 2):
            credentials = Credentials(self.new_id(), self._token, self.access_key().value)
            if method == "POST":
                kwargs = self.key_transport.post(body or {}, credentials)
            else:
                kwargs = self.key_transport.get(params or {}, credentials)
            try:
                response = self.read(method, path, **kwargs)
            except ProviderError as exc:
                if exc.status in REFUSED and attempt == 1:
                    self._renew(path, f"HTTP {exc.status}")
                    continue
                raise self._masked_error(str(exc), exc.status, exc.vendor_message) from None
            answer = self._masked(partial(self._json, response, where))
            if is_denied(answer):
                if attempt == 1:
                    self._renew(path, "Status DENIED")
                    continue
                raise self._masked_error(
                    f"{where}: Dicker Data refused a freshly granted access key (Status DENIED); "
                    "check that the account has API access to this call"
                )
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _renew(self, path: str, why: str) -> None:
        log.info("dickerdata: access key refused path=%s reason=%s; renewing it", path, why)
        self._key = None

    # -- answers and errors ----------------------------------------------------------------

    def _json(self, response: Response, where: str) -> Any:
        text = response.text
        content_type = response.headers.get("Content-Type", "")
        is_html = text.lstrip().lower().startswith(("<!doctype", "<html"))
        if is_html or "html" in content_type.lower():
            raise SourceError(
                f"{where}: the server answered with an HTML page instead of JSON "
                f"(HTTP {response.status_code}); check the endpoint URL and the network path to it"
            )
        try:
            return json.loads(text, parse_float=Decimal)
        except ValueError:
            raise SourceError(
                f"{where}: the answer is not valid JSON ({len(text)} characters, truncated or "
                "malformed); refusing to read it as zero seats"
            ) from None

    def describe_status(self, status: int) -> str:
        if status in REFUSED:
            return (
                "Dicker Data refused the credentials; check source.account_code, "
                "source.access_token and that the account has API access"
            )
        return super().describe_status(status)

    def vendor_message(self, response: Response) -> str:
        try:
            answer = response.json()
        except ValueError:
            return self._redactor()(super().vendor_message(response))
        if isinstance(answer, dict) and answer.get("Message"):
            return self._redactor()(str(answer["Message"])[:300])
        return self._redactor()(super().vendor_message(response))

    def _masked(self, build: Callable[[], _T]) -> _T:
        """Run `build`; any ProviderError it raises comes out as a SourceError, secrets masked."""
        try:
            return build()
        except ProviderError as exc:
            raise self._masked_error(str(exc), exc.status, exc.vendor_message) from None

    def _masked_error(self, message: str, status: int | None = None, vendor: str = "") -> SourceError:
        redact = self._redactor()
        return SourceError(redact(message), status=status, vendor_message=redact(vendor))

    def _redactor(self) -> Redactor:
        return Redactor([self._token, *self._keys_seen])
