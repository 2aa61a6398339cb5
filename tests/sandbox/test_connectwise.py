"""The emulated ConnectWise API: paging, conditions, auth, additions, vendor error bodies."""

from __future__ import annotations

import re

import pytest

from tests.sandbox import api_spec
from tests.sandbox.conftest import VendorSession, cw_headers

CW = api_spec.connectwise


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))}


def test_list_pages_follow_link_headers_to_the_last_page(cw: VendorSession) -> None:
    first = cw.get("/company/companies", params={"pageSize": 12})
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("application/vnd.connectwise.com+json; version=2026.4")
    assert set(links(first)) == {"next", "first", "last"}
    seen, page = [], first
    while True:
        CW().validate(page.json(), "/company/companies")
        seen += [c["id"] for c in page.json()]
        if "next" not in links(page):
            break
        page = cw.get(links(page)["next"])
    assert seen == list(range(250, 280))
    assert set(links(page)) == {"prev", "first", "last"}
    assert "page=3" in links(first)["last"]


def test_default_page_size_is_25_and_above_1000_is_refused(cw: VendorSession) -> None:
    assert len(cw.get("/company/companies").json()) == 25
    refused = cw.get("/company/companies", params={"pageSize": 1001})
    assert refused.status_code == 400
    assert refused.json()["code"] == "InvalidObject"
    assert refused.json()["errors"][0]["field"] == "pageSize"


def test_forward_only_paging_uses_page_id(cw: VendorSession) -> None:
    first = cw.get("/company/companies", params={"pageSize": 20}, headers={"pagination-type": "forward-only"})
    assert [c["id"] for c in first.json()][-1] == 269
    second = cw.get(links(first)["next"], headers={"pagination-type": "forward-only"})
    assert [c["id"] for c in second.json()] == list(range(270, 280))


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ('agreementStatus="Active"', [1001, 1003]),
        ('agreementStatus = "active" and prorateFlag = true', [1003]),
        ("company/id=250 and (id=1002 or id in (1003, 9))", [1002, 1003]),
        ('name contains "100" and not id = 1001', [1002, 1003]),
        ('name like "Agreement 10%2"', [1002]),
        ("endDate = null", [1001, 1003]),
        ("endDate != null", [1002]),
        ("startDate >= [2024-02-01T00:00:00Z] and startDate < [2024-05-01T00:00:00Z]", [1003]),
        ("id not in (1001,1002)", [1003]),
    ],
)
def test_conditions_filter_agreements(cw: VendorSession, conditions: str, expected: list[int]) -> None:
    reply = cw.get("/finance/agreements", params={"conditions": conditions})
    assert reply.status_code == 200, reply.text
    assert [a["id"] for a in reply.json()] == expected
    assert cw.get("/finance/agreements/count", params={"conditions": conditions}).json() == {"count": len(expected)}


@pytest.mark.parametrize("conditions", ['agreementStatus="Active', "id = ", "id == 5", "(id=1", "id in 5"])
def test_unparseable_conditions_are_a_400_with_the_vendor_body(cw: VendorSession, conditions: str) -> None:
    reply = cw.get("/finance/agreements", params={"conditions": conditions})
    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == "InvalidObject" and body["message"].startswith("conditions:")
    assert {"code", "message", "resource", "field"} <= set(body["errors"][0])


def test_catalog_lookup_by_identifier_and_fields(cw: VendorSession) -> None:
    reply = cw.get(
        "/procurement/catalog", params={"conditions": 'identifier="M365-BP-ANNUAL"', "fields": "id,identifier"}
    )
    assert reply.json() == [{"id": 1, "identifier": "M365-BP-ANNUAL"}]


def test_agreement_and_additions_validate_against_the_vendor_schema(cw: VendorSession) -> None:
    agreement = cw.get("/finance/agreements/1001")
    CW().validate(agreement.json(), "/finance/agreements/{id}")
    CW().validate(cw.get("/finance/agreements").json(), "/finance/agreements")
    additions = cw.get("/finance/agreements/1001/additions")
    CW().validate(additions.json(), "/finance/agreements/{parentId}/additions")
    by_id = {a["id"]: a for a in additions.json()}
    assert all("_history" not in a for a in by_id.values())  # sandbox bookkeeping stays inside
    assert "cancelledDate" not in by_id[1] and by_id[2]["cancelledDate"] == "2024-04-30T00:00:00Z"
    CW().validate(cw.get("/procurement/catalog").json(), "/procurement/catalog")
    CW().validate(
        cw.get("/finance/agreements/1001/additions/count").json(), "/finance/agreements/{parentId}/additions/count"
    )


def test_missing_records_are_404_with_the_vendor_body(cw: VendorSession) -> None:
    reply = cw.get("/finance/agreements/4242")
    assert reply.status_code == 404
    assert reply.json()["code"] == "NotFound" and "4242" in reply.json()["message"]
    assert cw.get("/finance/agreements/1001/additions/99").status_code == 404


@pytest.mark.parametrize("change", ["no-auth", "wrong-key", "no-client-id", "wrong-client-id"])
def test_wrong_or_missing_credentials_are_401(cw: VendorSession, change: str) -> None:
    headers = cw_headers()
    if change == "no-auth":
        del headers["Authorization"]
    elif change == "wrong-key":
        headers["Authorization"] = "Basic " + "c2FuZGJveCtzYW5kYm94LXB1YmxpYy1rZXk6bm9wZQ=="
    elif change == "no-client-id":
        del headers["clientId"]
    else:
        headers["clientId"] = "not-the-client"
    with VendorSession(cw.base, headers) as bare:
        reply = bare.get("/finance/agreements")
    assert reply.status_code == 401
    assert reply.json()["code"] == "Unauthorized"


def test_any_codebase_is_accepted(sandbox, cw: VendorSession) -> None:
    reply = cw.get(f"{sandbox.url}/connectwise/v2024_1/apis/3.0/finance/agreements/1001")
    assert reply.status_code == 200


def test_post_addition_creates_the_record_and_answers_201(cw: VendorSession, sandbox) -> None:
    body = {
        "product": {"identifier": "M365-BB-ANNUAL"},
        "billCustomer": "Billable",
        "quantity": 3,
        "unitPrice": 6.6,
        "unitCost": 5.4,
        "effectiveDate": "2024-06-15T00:00:00Z",
        "invoiceDescription": "BB x 3",
    }
    reply = cw.post("/finance/agreements/1001/additions", json=body)
    assert reply.status_code == 201
    created = reply.json()
    CW().validate(created, "/finance/agreements/{parentId}/additions/{id}")
    assert created["agreementId"] == 1001 and created["product"] == {"id": 3, "identifier": "M365-BB-ANNUAL"}
    stored = next(a for a in sandbox.world()["connectwise"]["additions"] if a["id"] == created["id"])
    assert stored["_history"] == [{"recordedOn": "2024-06-15", "quantity": 3}]
    assert cw.get(f"/finance/agreements/1001/additions/{created['id']}").json()["quantity"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"billCustomer": "Billable"}, "product"),
        ({"product": {"id": 1}}, "billCustomer"),
        ({"product": {"id": 1}, "billCustomer": "Sometimes"}, "billCustomer"),
        ({"product": {"id": 77}, "billCustomer": "Billable"}, "product"),
        ({"product": {"id": 1}, "billCustomer": "Billable", "quantity": "many"}, "quantity"),
        # a member the client cannot write, or in another case, is refused, not dropped: a body
        # carrying only `Quantity` would otherwise make an addition of 0 seats
        ({"product": {"id": 1}, "billCustomer": "Billable", "Quantity": 9}, "Quantity"),
        ({"product": {"id": 1}, "billCustomer": "Billable", "quantity": 3, "bogus": 1}, "bogus"),
        ({"product": {"id": 1}, "billCustomer": "Billable", "serialNumber": "s" * 51}, "serialNumber"),
        ({"product": {"id": 1}, "billCustomer": "Billable", "description": 123}, "description"),
        ({"product": {"id": 1}, "billCustomer": "Billable", "taxableFlag": "yes"}, "taxableFlag"),
    ],
)
def test_post_addition_validates_required_fields(cw: VendorSession, body: dict, field: str) -> None:
    reply = cw.post("/finance/agreements/1001/additions", json=body)
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == field


def test_patch_replaces_fields_and_dates_the_quantity(cw: VendorSession, sandbox) -> None:
    ops = [
        {"op": "replace", "path": "/quantity", "value": 15},
        {"op": "replace", "path": "invoiceDescription", "value": "BP x 15"},
    ]
    reply = cw.patch("/finance/agreements/1001/additions/1", json=ops)
    assert reply.status_code == 200
    assert reply.json()["quantity"] == 15 and reply.json()["invoiceDescription"] == "BP x 15"
    stored = next(a for a in sandbox.world()["connectwise"]["additions"] if a["id"] == 1)
    assert stored["_history"] == [
        {"recordedOn": "2024-05-01", "quantity": 12},
        {"recordedOn": "2024-06-15", "quantity": 15},
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"op": "replace", "path": "quantity", "value": 1},
        [{"op": "move", "path": "quantity", "value": 1}],
        [{"op": "replace", "path": "/id", "value": 9}],
        [{"op": "replace", "path": "/quantity"}],
        [],
    ],
)
def test_patch_anything_else_is_a_400(cw: VendorSession, sandbox, body) -> None:
    before = sandbox.world()["connectwise"]["additions"]
    reply = cw.patch("/finance/agreements/1001/additions/1", json=body)
    assert reply.status_code == 400
    assert sandbox.world()["connectwise"]["additions"] == before
