"""Where the emulated ConnectWise must answer as strictly as the real one: Link headers as the
real server writes them, every documented filter honoured (or refused), unknown parameters
and fields refused, codebase discovery and the vendor's error bodies."""

from __future__ import annotations

import re

import pytest
import requests

from tests.sandbox.conftest import VendorSession, cw_headers

NEXT_PAGE = re.compile(r'[?&]page=(\d+)>; rel="next"')  # how community clients read the Link header


def test_community_pagers_reading_the_page_before_the_bracket_get_every_page(cw: VendorSession) -> None:
    params = {"conditions": "id >= 250", "pageSize": 7}
    seen, page = [], 1
    while True:
        reply = cw.get("/company/companies", params={**params, "page": page})
        assert reply.status_code == 200, reply.text
        seen += [c["id"] for c in reply.json()]
        found = NEXT_PAGE.search(reply.headers["Link"])
        if not found:
            break
        page = int(found.group(1))
    assert seen == list(range(250, 280))
    last = re.search(r'<([^>]+)>; rel="last"', reply.headers["Link"]).group(1)
    assert last.endswith("&page=5")  # the last link too: page is its last parameter


def test_forward_only_links_end_with_the_page_id(cw: VendorSession) -> None:
    reply = cw.get("/company/companies", params={"pageSize": 20}, headers={"pagination-type": "forward-only"})
    assert re.search(r'[?&]pageId=269>; rel="next"', reply.headers["Link"])


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        ('types/name = "Client"', [250, 251]),
        ("types/id = 2", [251, 252]),
        ('types/id = 2 and types/name = "Client"', []),
    ],  # one item must match the whole expression
)
def test_child_conditions_filter_on_list_items(cw: VendorSession, child: str, expected: list[int]) -> None:
    reply = cw.get("/company/companies", params={"childConditions": child})
    assert reply.status_code == 200, reply.text
    assert [c["id"] for c in reply.json()] == expected
    count = cw.get("/company/companies/count", params={"childConditions": child})
    assert count.json() == {"count": len(expected)}


@pytest.mark.parametrize(
    ("custom", "expected"),
    [
        ('caption = "Billing Code" and value = "M365"', [1001]),
        ('value like "%Z%"', [1003]),
        ("id = 7", [1001, 1003]),
        ("id = 8", []),
    ],
)
def test_custom_field_conditions_filter_on_custom_fields(cw: VendorSession, custom: str, expected: list[int]) -> None:
    reply = cw.get("/finance/agreements", params={"customFieldConditions": custom})
    assert reply.status_code == 200, reply.text
    assert [a["id"] for a in reply.json()] == expected


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"foo": "1"}, "foo"),
        ({"Conditions": "id=1001"}, "Conditions"),
        ({"pagesize": "5"}, "pagesize"),
        ({"pageId": "1001"}, "pageId"),
    ],  # pageId without the forward-only header would be ignored
    ids=["unknown", "conditions-cased", "pagesize-cased", "page-id-navigable"],
)
def test_parameters_the_sandbox_would_otherwise_ignore_are_a_400(cw: VendorSession, params: dict, named: str) -> None:
    reply = cw.get("/finance/agreements", params=params)
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["code"] == "InvalidObject" and body["errors"][0]["field"] == named


@pytest.mark.parametrize(
    ("params", "named", "says"),
    [
        ({"conditions": "nosuch = 1"}, "conditions", "Agreement has no field 'nosuch'"),
        ({"conditions": 'AgreementStatus = "Active"'}, "conditions", "spelt 'agreementStatus'"),
        ({"conditions": "company/nosuch = 1"}, "conditions", "company has the members"),
        ({"conditions": "company = 250"}, "conditions", "company is a reference"),
        ({"conditions": 'customFields/value = "M365"'}, "conditions", "filter it with childConditions"),
        ({"childConditions": "company/id = 250"}, "childConditions", "not a list of objects"),
        ({"customFieldConditions": "label = 1"}, "customFieldConditions", "a custom field has the members"),
        ({"orderBy": "nosuch desc"}, "orderBy", "Agreement has no field 'nosuch'"),
        ({"orderBy": "id sideways"}, "orderBy", "is not `field asc`"),
        ({"fields": "id,nosuch"}, "fields", "Agreement has no field 'nosuch'"),
    ],
)
def test_unknown_fields_are_a_400_not_a_match_on_null(cw: VendorSession, params: dict, named: str, says: str) -> None:
    reply = cw.get("/finance/agreements", params=params)
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["code"] == "InvalidObject" and says in body["message"]
    assert body["errors"][0]["field"] == named


def test_codebase_discovery_works_without_credentials_like_the_real_site(sandbox, cw: VendorSession) -> None:
    info = requests.get(f"{sandbox.url}/connectwise/login/companyinfo/sandbox", timeout=10)
    assert info.status_code == 200
    body = info.json()
    assert body["CompanyID"] == "sandbox" and body["Codebase"].endswith("/")
    api = f"{sandbox.url}/connectwise/{body['Codebase'].strip('/')}/apis/3.0"  # as pyconnectwise builds it
    with VendorSession(api, cw_headers()) as session:
        assert session.get("/company/companies/count").json() == {"count": 30}


@pytest.mark.parametrize(
    "path",
    [
        "/connectwise/login/companyinfo/nobody",
        "/connectwise/elsewhere",
        "/connectwise/v4_6_release/apis/3.0/no/such/endpoint",
        "/connectwise/v4_6_release/apis/3.0/finance/agreements/4242",
    ],
)
def test_not_found_answers_carry_code_and_message(sandbox, path: str) -> None:
    reply = requests.get(sandbox.url + path, headers=cw_headers(), timeout=10)
    assert reply.status_code == 404
    body = reply.json()
    assert body["code"] == "NotFound" and body["message"]


def test_bad_keys_are_a_401_with_code_and_message(cw: VendorSession) -> None:
    with VendorSession(cw.base, dict(cw_headers(), Authorization="Basic c2FuZGJveCt4Onk=")) as wrong:
        reply = wrong.get("/company/companies")
    assert reply.status_code == 401
    assert reply.json()["code"] == "Unauthorized" and reply.json()["message"]
