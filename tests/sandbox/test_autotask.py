"""The emulated Autotask API: queries and paging, auth, threshold, adjustments and charges."""

from __future__ import annotations

import json

import pytest

from tests.sandbox import api_spec
from tests.sandbox.conftest import VendorSession, at_headers

AT = api_spec.autotask


def query(at: VendorSession, entity: str, *filters: dict, **extra) -> dict:
    reply = at.post(f"/{entity}/query", json={"filter": list(filters), **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()


def units(sandbox, contract_service_id: int) -> list[tuple[str, str, int]]:
    rows = [
        r for r in sandbox.world()["autotask"]["contractServiceUnits"] if r["contractServiceID"] == contract_service_id
    ]
    return sorted((r["startDate"][:10], r["endDate"][:10], r["units"]) for r in rows)


def test_zone_information_points_back_at_the_sandbox(sandbox, at: VendorSession) -> None:
    with VendorSession(at.base, {}) as anonymous:
        reply = anonymous.get("/zoneInformation", params={"user": "sandbox-api@ncesync.example"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["url"] == f"{sandbox.url}/autotask/atservicesrest/" and body["zoneName"] == "Sandbox"
    AT().validate(body, "/V1.0/ZoneInformation")


def test_paths_are_case_insensitive(at: VendorSession, sandbox) -> None:
    reply = at.get(f"{sandbox.url}/AUTOTASK/ATServicesRest/V1.0/contracts/7001")
    assert reply.status_code == 200 and reply.json()["item"]["id"] == 7001


@pytest.mark.parametrize(
    ("header", "status", "says"),
    [
        ("UserName", 500, "not a valid API user"),
        ("Secret", 401, "not authorized"),
        ("ApiIntegrationCode", 500, "IntegrationCode is invalid."),
    ],
)
def test_credentials_are_refused_as_autotask_refuses_them(
    at: VendorSession, header: str, status: int, says: str
) -> None:
    headers = at_headers()
    with VendorSession(at.base, {k: v for k, v in headers.items() if k != header}) as bare:
        assert bare.get("/Contracts/7001").status_code == status
    with VendorSession(at.base, dict(headers, **{header: "wrong"})) as wrong:
        reply = wrong.post("/Contracts/query", json={"filter": []})
    assert reply.status_code == status
    assert says in reply.json()["errors"][0]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"op": "eq", "field": "companyID", "value": 250}], [7001]),
        ([{"op": "in", "field": "status", "value": [0, 1]}], [7001, 7002]),
        ([{"op": "noteq", "field": "Status", "value": 1}], [7002]),
        ([{"op": "gte", "field": "startDate", "value": "2024-03-01"}], [7002]),
        ([{"op": "exist", "field": "endDate"}], [7001]),
        ([{"op": "notExist", "field": "endDate"}], [7002]),
        ([{"op": "beginsWith", "field": "contractname", "value": "fab"}], [7002]),
        ([{"op": "contains", "field": "contractName", "value": "M365"}], [7001, 7002]),
        (
            [
                {
                    "op": "or",
                    "items": [
                        {"op": "eq", "field": "id", "value": 7002},
                        {
                            "op": "and",
                            "items": [
                                {"op": "eq", "field": "status", "value": 1},
                                {"op": "lt", "field": "id", "value": 7002},
                            ],
                        },
                    ],
                }
            ],
            [7001, 7002],
        ),
        ([{"op": "notIn", "field": "id", "value": [7001]}, {"op": "eq", "field": "contractType", "value": 7}], [7002]),
    ],
)
def test_query_filters(at: VendorSession, filters: list, expected: list[int]) -> None:
    body = query(at, "Contracts", *filters)
    assert [c["id"] for c in body["items"]] == expected
    AT().validate(body, "/V1.0/Contracts/query", "post")
    count = at.post("/Contracts/query/count", json={"filter": filters})
    assert count.json() == {"queryCount": len(expected)}


def test_get_query_with_search_and_include_fields(at: VendorSession) -> None:
    search = json.dumps(
        {"Filter": [{"op": "eq", "field": "id", "value": 7001}], "IncludeFields": ["id", "contractName"]}
    )
    reply = at.get("/Contracts/query", params={"search": search})
    assert reply.json()["items"] == [{"id": 7001, "contractName": "Contoso M365"}]


def test_next_page_url_of_a_post_query_is_posted_with_the_same_body(at: VendorSession) -> None:
    body = {"filter": [{"op": "eq", "field": "contractServiceID", "value": 1}], "maxRecords": 5}
    first = query(at, "ContractServiceUnits", *body["filter"], maxRecords=5)
    assert first["pageDetails"]["count"] == 5 and first["pageDetails"]["prevPageUrl"] is None
    AT().validate(first, "/V1.0/ContractServiceUnits/query", "post")
    ids = [r["id"] for r in first["items"]]
    url = first["pageDetails"]["nextPageUrl"]
    assert url.startswith("http://127.0.0.1")
    refused = at.get(url)
    assert refused.status_code == 405
    assert refused.json() == {"Message": "The requested resource does not support http method 'GET'."}
    assert at.post(url, json={"filter": [], "maxRecords": 5}).status_code == 400  # another query
    second = at.post(url, json=body).json()
    ids += [r["id"] for r in second["items"]]
    third = at.post(second["pageDetails"]["nextPageUrl"], json=body).json()
    ids += [r["id"] for r in third["items"]]
    assert third["pageDetails"]["nextPageUrl"] is None and third["pageDetails"]["prevPageUrl"]
    assert ids == list(range(1, 13))


def test_next_page_url_of_a_get_query_is_a_get_with_its_search(at: VendorSession) -> None:
    search = json.dumps({"filter": [{"op": "eq", "field": "contractServiceID", "value": 1}], "maxRecords": 5})
    first = at.get("/ContractServiceUnits/query", params={"search": search}).json()
    url = first["pageDetails"]["nextPageUrl"]
    assert "search=" in url
    assert at.post(url, json=json.loads(search)).status_code == 405
    second = at.get(url).json()
    assert [r["id"] for r in second["items"]] == [6, 7, 8, 9, 10]


@pytest.mark.parametrize("max_records", [0, 501])
def test_max_records_outside_1_to_500_is_a_400(at: VendorSession, max_records: int) -> None:
    reply = at.post("/Contracts/query", json={"filter": [], "maxRecords": max_records})
    assert reply.status_code == 400
    assert "500" in reply.json()["errors"][0]


def test_bad_filter_operator_is_an_error_envelope(at: VendorSession) -> None:
    reply = at.post("/Contracts/query", json={"filter": [{"op": "near", "field": "id", "value": 1}]})
    assert reply.status_code == 400 and "near" in reply.json()["errors"][0]


def test_item_by_id_and_child_collections(at: VendorSession) -> None:
    for entity, item in (
        ("Contracts", 7001),
        ("Services", 9001),
        ("ContractServices", 1),
        ("ContractServiceUnits", 3),
        ("ContractCharges", 2),
        ("Companies", 250),
    ):
        body = at.get(f"/{entity}/{item}").json()
        assert body["item"]["id"] == item
        AT().validate(body, f"/V1.0/{entity}/{{id}}")
    assert at.get("/Contracts/99").json() == {"item": None}
    children = at.get("/Contracts/7001/Charges").json()
    assert [c["id"] for c in children["items"]] == [1, 2]
    AT().validate(children, "/V1.0/Contracts/{parentId}/Charges")


def test_threshold_counts_requests_and_refuses_past_10000(at: VendorSession, sandbox) -> None:
    sandbox.threshold.preset(9_998)
    info = at.get("/ThresholdInformation").json()
    AT().validate(info, "/V1.0/ThresholdInformation")
    assert info == {
        "externalRequestThreshold": 10_000,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": 9_999,
    }
    assert at.get("/Contracts/7001").status_code == 200  # the 10,000th
    refused = at.get("/Contracts/7001")
    assert refused.status_code == 429 and refused.json()["errors"]


def test_adjustment_splits_the_row_and_changes_later_rows(at: VendorSession, sandbox) -> None:
    reply = at.post(
        "/ContractServiceAdjustments",
        json={"contractID": 7001, "serviceID": 9001, "unitChange": 3, "effectiveDate": "2024-06-15"},
    )
    assert reply.status_code == 200 and isinstance(reply.json()["itemId"], int)
    AT().validate(reply.json(), "/V1.0/ContractServiceAdjustments", "post")
    rows = units(sandbox, 1)
    assert ("2024-05-01", "2024-05-31", 12) in rows
    assert ("2024-06-01", "2024-06-14", 12) in rows and ("2024-06-15", "2024-06-30", 15) in rows
    assert ("2024-07-01", "2024-07-31", 15) in rows and rows[-1] == ("2024-12-01", "2024-12-31", 15)
    stored = sandbox.world()["autotask"]["contractServiceAdjustments"]
    assert stored[0]["contractServiceID"] == 1 and stored[0]["effectiveDate"] == "2024-06-15T00:00:00"


def test_second_adjustment_on_the_same_date_is_refused(at: VendorSession) -> None:
    body = {"contractID": 7001, "serviceID": 9001, "unitChange": 1, "effectiveDate": "2024-07-01T00:00:00"}
    assert at.post("/Contracts/7001/ServiceAdjustments", json=body).status_code == 200
    again = at.post("/Contracts/7001/ServiceAdjustments", json=dict(body, unitChange=2))
    assert again.status_code == 500
    assert again.json() == {"errors": ["Attempt to insert duplicate data into contract_service_period"]}


@pytest.mark.parametrize("day", ["2023-12-31", "2025-01-01"])
def test_adjustment_outside_the_contract_dates_is_refused(at: VendorSession, sandbox, day: str) -> None:
    before = sandbox.world()["autotask"]
    reply = at.post(
        "/ContractServiceAdjustments",
        json={"contractID": 7001, "serviceID": 9001, "unitChange": 1, "effectiveDate": day},
    )
    assert reply.status_code == 500
    assert reply.json() == {"errors": ["effectiveDate must be between the start date and end date of the Contract"]}
    assert sandbox.world()["autotask"] == before


def test_adjustment_for_a_new_service_creates_the_contract_service(at: VendorSession, sandbox) -> None:
    reply = at.post(
        "/ContractServiceAdjustments",
        json={
            "contractID": 7001,
            "serviceID": 9002,
            "unitChange": 4,
            "effectiveDate": "2024-10-10",
            "adjustedUnitPrice": 6.0,
        },
    )
    assert reply.status_code == 200
    created = [s for s in sandbox.world()["autotask"]["contractServices"] if s["serviceID"] == 9002]
    assert len(created) == 1 and created[0]["unitPrice"] == 6.0
    assert units(sandbox, created[0]["id"]) == [
        ("2024-10-10", "2024-10-31", 4),
        ("2024-11-01", "2024-11-30", 4),
        ("2024-12-01", "2024-12-31", 4),
    ]


def test_open_ended_contract_rows_run_24_months_past_today(at: VendorSession, sandbox) -> None:
    assert (
        at.post(
            "/ContractServiceAdjustments",
            json={"contractID": 7002, "serviceID": 9001, "unitChange": 2, "effectiveDate": "2024-06-15"},
        ).status_code
        == 200
    )
    service = next(s for s in sandbox.world()["autotask"]["contractServices"] if s["contractID"] == 7002)
    rows = units(sandbox, service["id"])
    assert rows[0] == ("2024-06-15", "2024-07-14", 2)  # periods step from the 15th, the contract start
    assert rows[-1][0] == "2026-06-15"


def test_patch_contract_service_is_sparse(at: VendorSession, sandbox) -> None:
    reply = at.patch("/Contracts/7001/Services", json={"id": 1, "invoiceDescription": "M365 BP (new)"})
    assert reply.status_code == 200 and reply.json() == {"itemId": 1}
    stored = sandbox.world()["autotask"]["contractServices"][0]
    assert stored["invoiceDescription"] == "M365 BP (new)" and stored["unitPrice"] == 36.3
    refused = at.patch("/Contracts/7001/Services", json={"id": 1, "serviceID": 9002})
    assert refused.status_code == 500 and "serviceID" in refused.json()["errors"][0]


def test_charges_create_update_and_delete_unless_billed(at: VendorSession, sandbox) -> None:
    created = at.post(
        "/Contracts/7001/Charges",
        json={
            "name": "M365 BP June",
            "datePurchased": "2024-06-01T00:00:00",
            "unitQuantity": 12,
            "unitPrice": 36.3,
            "unitCost": 30.25,
            "chargeType": 1,
            "status": 1,
        },
    )
    assert created.status_code == 200
    new_id = created.json()["itemId"]
    assert at.patch("/Contracts/7001/Charges", json={"id": new_id, "unitQuantity": 11}).status_code == 200
    assert at.get(f"/ContractCharges/{new_id}").json()["item"]["unitQuantity"] == 11
    assert at.delete(f"/Contracts/7001/Charges/{new_id}").status_code == 200
    billed = at.delete("/Contracts/7001/Charges/1")
    assert billed.status_code == 500 and billed.json()["errors"]
    assert [c["id"] for c in sandbox.world()["autotask"]["contractCharges"]] == [1, 2]


def test_a_wrong_secret_outside_ascii_is_the_vendor_s_401_not_a_500(sandbox) -> None:
    headers = {**at_headers(), "Secret": "pässwörd"}  # Latin-1, as HTTP headers carry it
    with VendorSession(f"{sandbox.url}/autotask/atservicesrest/v1.0", headers) as at:
        assert at.get("/ThresholdInformation").status_code == 401
