"""The emulated Dicker Data API: access keys (both auth styles, expiry), subscriptions, invoices."""

from __future__ import annotations

import pytest

from providers.sandbox import SANDBOX_CREDENTIALS
from tests.sandbox.conftest import T1, T2, VendorSession, dd_key

TOKEN = SANDBOX_CREDENTIALS["dickerdata"]["access_token"]


def details(dd: VendorSession, key: str, **wanted) -> list[dict]:
    reply = dd.post(
        "/api/Subscriptions/GetSubscriptionDetails",
        json={
            "RequestHeader": {"TransactionID": "t", "Token": TOKEN, "AccessKey": key},
            "In": {"SubscriptionType": "CSP", **wanted},
        },
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["Out"]


def test_access_key_is_granted_for_the_demo_token(dd: VendorSession) -> None:
    reply = dd.post(
        "/api/AccessKeyRequest", json={"TransactionID": "t", "AccessToken": TOKEN, "AccountCode": "SANDBOX01"}
    )
    body = reply.json()
    assert body["Status"] == "GRANTED" and body["Message"] == "" and body["AccessKey"]
    assert body["ExpireDateTime"][:2] == "20"


@pytest.mark.parametrize(
    "body",
    [
        {"AccessToken": "nope", "AccountCode": "SANDBOX01"},
        {"AccessToken": TOKEN, "AccountCode": "OTHER"},
        {},
        {"AccessToken": 'p@ss w%rd"/é€', "AccountCode": "SANDBOX01"},  # outside ASCII: denied, not a 500
    ],
)
def test_bad_token_is_denied(dd: VendorSession, body: dict) -> None:
    reply = dd.post("/api/AccessKeyRequest", json=body)
    assert reply.status_code == 401 and reply.json()["Status"] == "DENIED"


def test_subscriptions_with_the_request_header_block(dd: VendorSession) -> None:
    out = details(dd, dd_key(dd))
    assert sorted(s["SubscriptionId"] for s in out) == ["S1", "S2", "S3"]
    first = next(s for s in out if s["SubscriptionId"] == "S1")
    for member in (
        "AccountCode",
        "TenantId",
        "TenantDescription",
        "CompanyName",
        "SubscriptionReference",
        "ParentSubscriptionId",
        "StockCode",
        "StockDescription",
        "ManufacturerStockCode",
        "Status",
        "BillingFrequency",
        "LastBillingDate",
        "NextBillingDate",
        "ExpiryDate",
        "ConfirmedQuantity",
        "UnitPrice",
        "UnitRRP",
        "Serials",
    ):
        assert member in first
    assert first["ConfirmedQuantity"] == 12 and first["TenantDescription"] == "Contoso Ltd"


def test_subscriptions_with_bearer_headers_and_filters(dd: VendorSession) -> None:
    key = dd_key(dd)
    headers = {"Authorization": f"Bearer {key}", "DD-TransactionID": "t-2", "DD-ApiVersion": "1.0"}
    reply = dd.post(
        "/api/Subscriptions/GetSubscriptionDetails",
        headers=headers,
        json={"In": {"TenantID": T2, "SubscriptionType": "CSP"}},
    )
    assert [s["SubscriptionId"] for s in reply.json()["Out"]] == ["S3"]
    assert [s["SubscriptionId"] for s in details(dd, key, TenantID=T1, StockCode="P1Y:CFQ7TTC0LH18:0001:1:")] == ["S2"]
    assert details(dd, key, SubscriptionId="S1")[0]["TenantId"] == T1


def test_expired_or_unknown_keys_are_denied(dd: VendorSession, sandbox) -> None:
    sandbox.access_keys.lifetime = 0
    key = dd_key(dd)
    reply = dd.post(
        "/api/Subscriptions/GetSubscriptionDetails",
        json={
            "RequestHeader": {"TransactionID": "t", "Token": TOKEN, "AccessKey": key},
            "In": {"SubscriptionType": "CSP"},
        },
    )
    assert reply.status_code == 401
    assert reply.json() == {"Status": "DENIED", "Message": "Access key expired"}
    unknown = dd.get("/api/Account/Invoice", headers={"Authorization": "Bearer not-a-key"})
    assert unknown.status_code == 401 and unknown.json()["Status"] == "DENIED"
    assert dd.get("/api/Account/Invoice").status_code == 401


def test_get_tenant(dd: VendorSession) -> None:
    headers = {"Authorization": f"Bearer {dd_key(dd)}"}
    reply = dd.post("/api/Subscriptions/GetTenant", headers=headers, json={"In": {"TenantID": T2}})
    assert reply.json()["Out"]["CompanyName"] == "Fabrikam Pty Ltd"
    assert dd.post("/api/Subscriptions/GetTenant", headers=headers, json={"In": {"TenantID": "x"}}).status_code == 404


def test_invoices_by_date_and_details_with_query_header(dd: VendorSession) -> None:
    key = dd_key(dd)
    auth = {
        "request.requestHeader.transactionID": "t",
        "request.requestHeader.token": TOKEN,
        "request.requestHeader.accessKey": key,
    }
    listed = dd.get("/api/Account/Invoice", params={**auth, "startDate": "2024-06-01", "endDate": "2024-06-30"})
    assert listed.json() == [{"InvoiceNumber": "1002", "InvoiceDate": "2024-06-01", "Total": "353.24"}]
    detail = dd.get("/api/Account/InvoiceDetails", params={**auth, "salesOrderNumber": "1002"}).json()
    assert [line["Quantity"] for line in detail["Lines"]] == [12, -1]
    assert detail["Lines"][1]["UsageStart"] == "22-MAY-2024"
    assert dd.get("/api/Account/InvoiceDetails", params={**auth, "salesOrderNumber": "9"}).status_code == 404
