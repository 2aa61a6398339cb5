"""Where the emulated Autotask must answer as the real one does: records with every field,
user-defined fields, unknown fields as errors, child reads by id, entity information and the
zone lookup's errors."""

from __future__ import annotations

import json

import pytest
import requests

from tests.contract import openapi
from tests.sandbox.conftest import VendorSession

CONTRACT_FIELDS = set(openapi.autotask().doc["definitions"]["ContractModel"]["properties"])
SERVICE_FIELDS = set(openapi.autotask().doc["definitions"]["ContractServiceModel"]["properties"])


def post(at: VendorSession, entity: str, *filters: dict, **extra) -> requests.Response:
    return at.post(f"/{entity}/query", json={"filter": list(filters), **extra})


@pytest.mark.parametrize(
    "filters",
    [
        [{"op": "eq", "field": "nosuch", "value": 1}],
        [{"op": "or", "items": [{"op": "eq", "field": "id", "value": 1}, {"op": "exist", "field": "nosuch"}]}],
        [{"op": "eq", "field": "nosuch", "value": "x", "udf": True}],
    ],
    ids=["top-level", "nested", "udf"],
)
def test_a_filter_on_a_field_the_entity_lacks_is_an_error_not_a_null_match(at: VendorSession, filters: list) -> None:
    reply = post(at, "Contracts", *filters)
    assert reply.status_code == 500
    assert reply.json() == {"errors": ["Unable to find nosuch in the Contract Entity"]}
    assert at.post("/Contracts/query/count", json={"filter": filters}).status_code == 500


def test_include_fields_naming_an_unknown_field_is_an_error(at: VendorSession) -> None:
    reply = post(at, "ContractServices", includeFields=["id", "quantity"])
    assert reply.status_code == 500 and "Unable to find quantity" in reply.json()["errors"][0]


def test_records_carry_every_field_of_the_entity_nulls_included(at: VendorSession) -> None:
    items = post(at, "Contracts").json()["items"]
    assert all(set(item) == CONTRACT_FIELDS for item in items)
    fabrikam = next(i for i in items if i["id"] == 7002)
    assert fabrikam["endDate"] is None and fabrikam["contactID"] is None
    item = at.get("/Contracts/7001").json()["item"]
    assert set(item) == CONTRACT_FIELDS
    service = post(at, "ContractServices").json()["items"][0]
    assert set(service) == SERVICE_FIELDS and service["soapParentPropertyId"] is None


def test_include_fields_returns_exactly_those_fields(at: VendorSession) -> None:
    items = post(at, "Contracts", includeFields=["id", "contractName"]).json()["items"]
    assert all(set(i) == {"id", "contractName"} for i in items)


def test_user_defined_fields_come_back_and_can_be_filtered(at: VendorSession) -> None:
    items = post(at, "Contracts").json()["items"]
    assert {i["id"]: i["userDefinedFields"] for i in items} == {
        7001: [{"name": "Billing Ref", "value": "BR-7001"}],
        7002: [{"name": "Billing Ref", "value": None}],
    }
    # a page without any UDF value leaves the collection out, as Autotask documents
    alone = post(at, "Contracts", {"op": "eq", "field": "id", "value": 7002}).json()["items"]
    assert "userDefinedFields" not in alone[0]
    matched = post(at, "Contracts", {"op": "eq", "field": "billing ref", "value": "BR-7001", "udf": True})
    assert [i["id"] for i in matched.json()["items"]] == [7001]


def test_only_one_udf_filter_a_query(at: VendorSession) -> None:
    udf = {"op": "exist", "field": "Billing Ref", "udf": True}
    reply = post(at, "Contracts", udf, {"op": "or", "items": [udf]})
    assert reply.status_code == 500 and "one user-defined field" in reply.json()["errors"][0]


def test_an_entity_without_udfs_refuses_a_udf_filter(at: VendorSession) -> None:
    reply = post(at, "ContractServices", {"op": "eq", "field": "Billing Ref", "value": "x", "udf": True})
    assert reply.status_code == 500


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Contracts/7001/Services/1", 1),
        ("/Contracts/7001/ServiceUnits/3", 3),
        ("/Contracts/7001/Charges/2", 2),
        ("/Contracts/7002/Services/1", None),
        ("/Contracts/7001/Charges/99", None),
    ],
)
def test_a_child_is_read_by_its_id_under_its_contract(at: VendorSession, path: str, expected: int | None) -> None:
    reply = at.get(path)
    assert reply.status_code == 200
    item = reply.json()["item"]
    assert (item or {}).get("id") == expected


def test_entity_information_describes_the_fields_and_picklists(at: VendorSession) -> None:
    fields = at.get("/Contracts/entityInformation/fields").json()["fields"]
    assert {f["name"] for f in fields} == CONTRACT_FIELDS - {"userDefinedFields"}
    period = next(f for f in fields if f["name"] == "contractPeriodType")
    assert period["isPickList"] and {"value": "2", "label": "Monthly"}.items() <= period["picklistValues"][0].items()
    info = at.get("/Contracts/entityInformation").json()["info"]
    assert info["name"] == "Contract" and info["canQuery"] and info["hasUserDefinedFields"]
    udfs = at.get("/Contracts/entityInformation/userDefinedFields").json()["fields"]
    assert [u["name"] for u in udfs] == ["Billing Ref"]
    adjustments = at.get("/ContractServiceAdjustments/entityInformation").json()["info"]
    assert adjustments["canCreate"] and not adjustments["canQuery"]


def test_zone_lookup_for_an_unknown_user_is_the_vendor_error(sandbox) -> None:
    base = f"{sandbox.url}/autotask/atservicesrest/v1.0/zoneInformation"
    unknown = requests.get(base, params={"user": "nobody@example.com"}, timeout=10)
    assert unknown.status_code == 500
    assert unknown.json() == {"errors": ["Zone information could not be determined"]}
    assert requests.get(base, timeout=10).status_code == 400


def test_a_get_query_needs_its_search(at: VendorSession) -> None:
    assert at.get("/Contracts/query").status_code == 400
    ok = at.get("/Contracts/query", params={"search": json.dumps({"filter": []})})
    assert ok.status_code == 200
