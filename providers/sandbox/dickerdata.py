"""The emulated Dicker Data B2B API: access keys, CSP subscriptions and tenants, invoices.

The vendor publishes no documentation; shapes follow the public client code described in
docs/sandbox.md, which lists what is assumed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from providers.sandbox.access_keys import AccessKeys
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.router import Route, Router
from providers.sandbox.secret_compare import same_secret
from providers.sandbox.store import WorldStore
from providers.sandbox.vendor_dates import parse_date
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

VENDOR = "dickerdata"
SUBSCRIPTION_TYPES = ("CSP", "ADY", "ADM")
_QUERY_KEY = "request.requestheader.accesskey"
_QUERY_TOKEN = "request.requestheader.token"


def denied(message: str) -> Reply:
    return Reply(401, {"Status": "DENIED", "Message": message})


def dd_error(status: int, message: str) -> Reply:
    return Reply(status, {"Status": "ERROR", "Message": message})


class DickerDataApi:
    def __init__(self, store: WorldStore, keys: AccessKeys):
        self.store = store
        self.keys = keys
        self.router = Router(
            VENDOR,
            [
                Route("POST", "/api/AccessKeyRequest", self._access_key),
                Route("POST", "/api/Subscriptions/GetSubscriptionDetails", self._subscriptions),
                Route("POST", "/api/Subscriptions/GetTenant", self._tenant),
                Route("GET", "/api/Account/Invoice", self._invoices),
                Route("GET", "/api/Account/InvoiceDetails", self._invoice_details),
            ],
            ignore_case=True,
        )

    def authorize(self, request: Request) -> None:
        """A valid access key, sent as a RequestHeader block or as Bearer headers."""
        if request.path.lower().rstrip("/") == "/api/accesskeyrequest":
            return
        key, token = self._presented(request)
        creds = SANDBOX_CREDENTIALS[VENDOR]
        if token is not None and not same_secret(token, creds["access_token"]):
            raise Rejection(denied("Invalid token"))
        if not key:
            raise Rejection(denied("An access key is required"))
        if not self.keys.valid(key):
            raise Rejection(denied("Access key expired"))

    def _presented(self, request: Request) -> tuple[str | None, str | None]:
        auth = request.header("authorization") or ""
        if auth.lower().startswith("bearer "):
            version = request.header("dd-apiversion")
            if version is not None and version != "1.0":
                raise Rejection(dd_error(400, f"Unsupported DD-ApiVersion {version}"))
            return auth[7:].strip(), None
        if request.method == "GET":
            return request.param(_QUERY_KEY, ignore_case=True), request.param(_QUERY_TOKEN, ignore_case=True)
        body = request.json(dd_error(400, "The request body is not valid JSON."))
        header = _member(body, "RequestHeader") if isinstance(body, dict) else None
        if not isinstance(header, dict):
            return None, None
        return _member(header, "AccessKey"), _member(header, "Token")

    # -- endpoints ----------------------------------------------------------------------

    def _access_key(self, request: Request) -> Reply:
        body = request.json(dd_error(400, "The request body is not valid JSON."))
        creds = SANDBOX_CREDENTIALS[VENDOR]
        body = body if isinstance(body, dict) else {}
        token_ok = same_secret(str(_member(body, "AccessToken") or ""), creds["access_token"])
        account_ok = same_secret(str(_member(body, "AccountCode") or ""), creds["account_code"])
        if not (token_ok and account_ok):
            raise Rejection(denied("The access token or account code is not valid"))
        key, expires = self.keys.grant()
        return Reply(
            200,
            {
                "AccessKey": key,
                "ExpireDateTime": expires.strftime("%Y-%m-%dT%H:%M:%S"),
                "Status": "GRANTED",
                "Message": "",
            },
        )

    def _in(self, request: Request) -> dict[str, Any]:
        body = request.json(dd_error(400, "The request body is not valid JSON."))
        block = _member(body, "In") if isinstance(body, dict) else None
        if not isinstance(block, dict):
            raise Rejection(dd_error(400, "The request needs an In object"))
        kind = str(_member(block, "SubscriptionType") or "CSP").upper()
        if kind not in SUBSCRIPTION_TYPES:
            raise Rejection(dd_error(400, f"Unknown SubscriptionType {kind}"))
        return block

    def _subscriptions(self, request: Request) -> Reply:
        block = self._in(request)
        if str(_member(block, "SubscriptionType") or "CSP").upper() != "CSP":
            return Reply(200, {"Out": []})
        wanted = {name: _member(block, name) for name in ("TenantID", "StockCode", "SubscriptionId")}
        fields = {"TenantID": "TenantId", "StockCode": "StockCode", "SubscriptionId": "SubscriptionId"}
        out = []
        # customers by tenant, once per request: a lookup per subscription was quadratic
        customers: dict[str, dict[str, Any]] = {}
        for customer in self.store.records(VENDOR, "customers"):
            customers.setdefault(str(customer.get("TenantId")).lower(), customer)
        for sub in self.store.records(VENDOR, "subscriptions"):
            if all(
                not value or str(sub.get(fields[name], "")).lower() == str(value).lower()
                for name, value in wanted.items()
            ):
                out.append(self._subscription_out(sub, customers.get(str(sub["TenantId"]).lower())))
        return Reply(200, {"Out": out})

    def _subscription_out(self, sub: dict[str, Any], customer: dict[str, Any] | None) -> dict[str, Any]:
        customer = customer or {}
        stock = str(sub.get("StockCode", ""))
        out = {
            "AccountCode": SANDBOX_CREDENTIALS[VENDOR]["account_code"],
            "TenantId": sub["TenantId"],
            "TenantDescription": customer.get("CompanyName", sub.get("CompanyName")),
            "SubscriptionReference": sub.get("SubscriptionReference", str(sub["SubscriptionId"])[:8].upper()),
            "ParentSubscriptionId": sub.get("ParentSubscriptionId", ""),
            "ManufacturerStockCode": sub.get("ManufacturerStockCode", ":".join(stock.split(":")[:3])),
            "Serials": sub.get("Serials", ""),
        }
        out.update({k: v for k, v in sub.items() if not k.startswith("_")})
        return out

    def _customer(self, tenant_id: str) -> dict[str, Any] | None:
        return next(
            (
                c
                for c in self.store.records(VENDOR, "customers")
                if str(c.get("TenantId")).lower() == str(tenant_id).lower()
            ),
            None,
        )

    def _tenant(self, request: Request) -> Reply:
        tenant_id = _member(self._in(request), "TenantID")
        customer = self._customer(str(tenant_id or ""))
        if customer is None:
            raise Rejection(dd_error(404, f"Tenant {tenant_id} was not found"))
        return Reply(
            200,
            {
                "Out": {
                    "TenantId": customer["TenantId"],
                    "TenantDescription": customer["CompanyName"],
                    "CompanyName": customer["CompanyName"],
                }
            },
        )

    def _invoices(self, request: Request) -> Reply:
        try:
            start, end = (
                parse_date(v) if v else None
                for v in (request.param("startDate", ignore_case=True), request.param("endDate", ignore_case=True))
            )
        except ValueError as exc:
            raise Rejection(dd_error(400, "startDate and endDate must be dates")) from exc
        out = []
        for invoice in self.store.records(VENDOR, "invoices"):
            day = parse_date(invoice["InvoiceDate"])
            if (start and day < start) or (end and day > end):
                continue
            total = sum((Decimal(str(line["LineAmount"])) for line in invoice.get("Lines", [])), Decimal("0"))
            out.append(
                {
                    "InvoiceNumber": invoice["InvoiceNumber"],
                    "InvoiceDate": invoice["InvoiceDate"],
                    "Total": f"{total:.2f}",
                }
            )
        return Reply(200, out)

    def _invoice_details(self, request: Request) -> Reply:
        number = request.param("salesOrderNumber", ignore_case=True)
        invoice = next(
            (i for i in self.store.records(VENDOR, "invoices") if str(i["InvoiceNumber"]) == str(number)), None
        )
        if invoice is None:
            raise Rejection(dd_error(404, f"Invoice {number} was not found"))
        return Reply(200, invoice)


def _member(block: dict[str, Any], name: str) -> Any:
    """Dicker Data's JSON binding ignores member-name case."""
    return next((v for k, v in block.items() if k.lower() == name.lower()), None)
