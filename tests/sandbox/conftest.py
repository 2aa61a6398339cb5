"""A small hand-made world and a running sandbox, with one session per vendor."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from providers.sandbox import SANDBOX_CREDENTIALS, SandboxServer
from providers.sandbox.vendor_dates import at_datetime
from reconciler.billing.periods import add_months

TODAY = date(2024, 6, 15)
T1 = "11111111-1111-4111-8111-111111111111"
T2 = "22222222-2222-4222-8222-222222222222"


def _dd() -> dict[str, Any]:
    def sub(sid: str, tenant: str, name: str, code: str, qty: int, status: str = "ACTIVE") -> dict[str, Any]:
        return {
            "SubscriptionId": sid,
            "TenantId": tenant,
            "CompanyName": name,
            "StockCode": code,
            "StockDescription": code,
            "ConfirmedQuantity": qty,
            "Status": status,
            "BillingFrequency": "Monthly",
            "UnitPrice": "30.25",
            "UnitRRP": "36.30",
            "LastBillingDate": "2024-06-01",
            "NextBillingDate": "2024-07-01",
            "ExpiryDate": "2025-04-30",
        }

    line = {
        "TenantId": T1,
        "SubscriptionId": "S1",
        "Stockcode": "P1Y:CFQ7TTC0LCHC:0002:1:",
        "StockDescription": "BP",
        "Quantity": 12,
        "UnitPrice": "30.25",
        "CycleUnitPrice": "30.25",
        "LineAmount": "363.00",
        "UsageStart": "01-MAY-2024",
        "UsageEnd": "31-MAY-2024",
        "TermStart": "01-MAY-2024",
        "TermEnd": "30-APR-2025",
    }
    refund = dict(line, Quantity=-1, UnitPrice="9.76", LineAmount="-9.76", UsageStart="22-MAY-2024")
    return {
        "customers": [
            {"TenantId": T1, "CompanyName": "Contoso Ltd"},
            {"TenantId": T2, "CompanyName": "Fabrikam Pty Ltd"},
        ],
        "subscriptions": [
            sub("S1", T1, "Contoso Ltd", "P1Y:CFQ7TTC0LCHC:0002:1:", 12),
            sub("S2", T1, "Contoso Ltd", "P1Y:CFQ7TTC0LH18:0001:1:", 5, "SUSPENDED"),
            sub("S3", T2, "Fabrikam Pty Ltd", "P1Y:CFQ7TTC0LDPB:0001:1:", 3),
        ],
        "invoices": [
            {"InvoiceNumber": "1001", "InvoiceDate": "2024-05-01", "Lines": [line]},
            {"InvoiceNumber": "1002", "InvoiceDate": "2024-06-01", "Lines": [line, refund]},
        ],
    }


def _cw() -> dict[str, Any]:
    companies = [
        {
            "id": 250 + i,
            "identifier": f"C{i:02d}",
            "name": f"Company {i:02d}",
            "status": {"id": 1, "name": "Active"},
            "deletedFlag": False,
        }
        for i in range(30)
    ]
    companies[0]["types"] = [{"id": 1, "name": "Client"}]
    companies[1]["types"] = [{"id": 2, "name": "Vendor"}, {"id": 1, "name": "Client"}]
    companies[2]["types"] = [{"id": 2, "name": "Vendor"}]
    company = {"id": 250, "identifier": "C00", "name": "Company 00"}

    def agreement(aid: int, status: str, prorate: bool, start: str, end: str | None = None) -> dict[str, Any]:
        return {
            "id": aid,
            "name": f"Agreement {aid}",
            "type": {"id": 1, "name": "Managed Services"},
            "company": company,
            "contact": {"id": 1, "name": "Pat Billing"},
            "agreementStatus": status,
            "prorateFlag": prorate,
            "billingCycle": {"id": 1, "name": "Monthly"},
            "startDate": start,
            "endDate": end,
            "cancelledFlag": status == "Cancelled",
            "noEndingDateFlag": end is None,
        }

    catalog = [
        {
            "id": i + 1,
            "identifier": ident,
            "description": ident,
            "price": price,
            "cost": cost,
            "inactiveFlag": False,
            "customerDescription": ident,
            "subcategory": {"id": 1, "name": "Microsoft"},
            "type": {"id": 1, "name": "Licence"},
        }
        for i, (ident, price, cost) in enumerate(
            [("M365-BP-ANNUAL", 36.3, 30.25), ("EXO-P1-ANNUAL", 6.5, 5.4), ("M365-BB-ANNUAL", 6.6, 5.4)]
        )
    ]
    additions = [
        {
            "id": 1,
            "agreementId": 1001,
            "product": {"id": 1, "identifier": "M365-BP-ANNUAL"},
            "quantity": 12,
            "unitPrice": 36.3,
            "unitCost": 30.25,
            "billCustomer": "Billable",
            "effectiveDate": "2024-05-01T00:00:00Z",
            "cancelledDate": None,
            "description": "Business Premium",
            "invoiceDescription": "BP x 12",
            "agreementStatus": "Active",
            "sequenceNumber": 1,
            "_history": [{"recordedOn": "2024-05-01", "quantity": 12}],
        },
        {
            "id": 2,
            "agreementId": 1001,
            "product": {"id": 2, "identifier": "EXO-P1-ANNUAL"},
            "quantity": 5,
            "unitPrice": 6.5,
            "unitCost": 5.4,
            "billCustomer": "Billable",
            "effectiveDate": "2024-01-01T00:00:00Z",
            "cancelledDate": "2024-04-30T00:00:00Z",
            "description": "Exchange",
            "agreementStatus": "Active",
            "_history": [{"recordedOn": "2024-01-01", "quantity": 5}],
        },
    ]
    agreements = [
        agreement(1001, "Active", False, "2024-05-01T00:00:00Z"),
        agreement(1002, "Cancelled", False, "2023-01-01T00:00:00Z", "2024-01-31T00:00:00Z"),
        agreement(1003, "Active", True, "2024-02-01T00:00:00Z"),
    ]
    code = {"id": 7, "caption": "Billing Code", "type": "Text", "entryMethod": "EntryField", "numberOfDecimals": 0}
    agreements[0]["customFields"] = [dict(code, value="M365")]
    agreements[2]["customFields"] = [dict(code, value="AZURE")]
    return {"companies": companies, "catalog": catalog, "additions": additions, "agreements": agreements}


def _at() -> dict[str, Any]:
    rows = []
    for k in range(12):
        start = add_months(date(2024, 1, 1), k)
        rows.append(
            {
                "id": k + 1,
                "contractID": 7001,
                "contractServiceID": 1,
                "serviceID": 9001,
                "startDate": at_datetime(start),
                "endDate": at_datetime(add_months(start, 1) - timedelta(days=1)),
                "units": 12,
                "price": 36.3,
                "cost": 30.25,
                "approveAndPostDate": at_datetime(add_months(start, 1)) if k < 5 else None,
            }
        )
    return {
        "companies": [
            {"id": 250, "companyName": "Contoso Ltd", "isActive": True},
            {"id": 251, "companyName": "Fabrikam Pty Ltd", "isActive": False},
        ],
        "contracts": [
            {
                "id": 7001,
                "companyID": 250,
                "contractName": "Contoso M365",
                "contractType": 7,
                "status": 1,
                "startDate": "2024-01-01T00:00:00",
                "endDate": "2024-12-31T00:00:00",
                "contractPeriodType": 2,
                "userDefinedFields": [{"name": "Billing Ref", "value": "BR-7001"}],
            },
            {
                "id": 7002,
                "companyID": 251,
                "contractName": "Fabrikam M365",
                "contractType": 7,
                "status": 0,
                "startDate": "2024-03-15T00:00:00",
                "endDate": None,
                "contractPeriodType": 2,
                "userDefinedFields": [{"name": "Billing Ref", "value": None}],
            },
        ],
        "services": [
            {
                "id": 9001,
                "name": "Business Premium",
                "unitPrice": 36.3,
                "unitCost": 30.25,
                "invoiceDescription": "M365 BP",
                "isActive": True,
                "periodType": 2,
            },
            {
                "id": 9002,
                "name": "Exchange Online",
                "unitPrice": 6.5,
                "unitCost": 5.4,
                "invoiceDescription": "EXO",
                "isActive": True,
                "periodType": 2,
            },
        ],
        "contractServices": [
            {
                "id": 1,
                "contractID": 7001,
                "serviceID": 9001,
                "unitPrice": 36.3,
                "unitCost": 30.25,
                "invoiceDescription": "M365 BP",
                "internalDescription": None,
            }
        ],
        "contractServiceUnits": rows,
        "contractServiceAdjustments": [],
        "contractCharges": [
            {
                "id": 1,
                "contractID": 7001,
                "name": "May copy",
                "datePurchased": "2024-05-01T00:00:00",
                "unitQuantity": 2,
                "unitPrice": 36.3,
                "unitCost": 30.25,
                "isBilled": True,
            },
            {
                "id": 2,
                "contractID": 7001,
                "name": "June copy",
                "datePurchased": "2024-06-01T00:00:00",
                "unitQuantity": 3,
                "unitPrice": 36.3,
                "unitCost": 30.25,
                "isBilled": False,
            },
        ],
    }


def make_world() -> dict[str, Any]:
    return {"dickerdata": _dd(), "connectwise": _cw(), "autotask": _at(), "meta": {"style": "tests"}}


@pytest.fixture
def world_path(tmp_path: Path) -> Path:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(make_world(), indent=2), encoding="utf-8")
    return path


@pytest.fixture
def sandbox(world_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    monkeypatch.delenv("NCESYNC_SANDBOX_FAULTS", raising=False)
    with SandboxServer(world_path, clock=TODAY) as server:
        yield server


class VendorSession(requests.Session):
    """A session whose relative URLs sit under one vendor's mount."""

    def __init__(self, base: str, headers: dict[str, str]):
        super().__init__()
        self.base = base
        self.headers.update(headers)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", 10)
        full = url if url.startswith("http") else self.base + url
        return super().request(method, full, *args, **kwargs)


def cw_headers() -> dict[str, str]:
    c = SANDBOX_CREDENTIALS["connectwise"]
    token = base64.b64encode(f"{c['company_id']}+{c['public_key']}:{c['private_key']}".encode()).decode()
    return {"Authorization": f"Basic {token}", "clientId": c["client_id"]}


def at_headers() -> dict[str, str]:
    c = SANDBOX_CREDENTIALS["autotask"]
    return {"ApiIntegrationCode": c["integration_code"], "UserName": c["username"], "Secret": c["secret"]}


@pytest.fixture
def cw(sandbox: SandboxServer) -> Iterator[VendorSession]:
    with VendorSession(f"{sandbox.url}/connectwise/v4_6_release/apis/3.0", cw_headers()) as session:
        yield session


@pytest.fixture
def at(sandbox: SandboxServer) -> Iterator[VendorSession]:
    with VendorSession(f"{sandbox.url}/autotask/atservicesrest/v1.0", at_headers()) as session:
        yield session


@pytest.fixture
def dd(sandbox: SandboxServer) -> Iterator[VendorSession]:
    with VendorSession(f"{sandbox.url}/dickerdata", {}) as session:
        yield session


def dd_key(dd: VendorSession) -> str:
    c = SANDBOX_CREDENTIALS["dickerdata"]
    reply = dd.post(
        "/api/AccessKeyRequest",
        json={"TransactionID": "t-1", "AccessToken": c["access_token"], "AccountCode": c["account_code"]},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["AccessKey"]
