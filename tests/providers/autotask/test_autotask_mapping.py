"""Pure conversion between Autotask JSON and the model."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from providers.autotask import mapping
from reconciler.change import Change
from reconciler.errors import ProviderError


def test_dates_are_the_date_part_and_written_as_plain_dates():
    assert mapping.at_date("2024-06-01T00:00:00") == date(2024, 6, 1)
    assert mapping.at_date("2024-01-31T15:04:05.307") == date(2024, 1, 31)
    assert mapping.at_date(None) is None
    assert mapping.at_day("2024-07-01T00:00:00") == "2024-07-01"
    assert mapping.at_day(date(2024, 7, 1)) == "2024-07-01"


@pytest.mark.parametrize(("value", "months"), [(2, 1), (3, 3), (4, 6), (5, 12), ("5", 12)])
def test_period_months_from_contract_period_type(value, months):
    assert mapping.period_months(value) == months


@pytest.mark.parametrize(
    ("fields", "says"),
    [({"contractPeriodType": 99}, "field contractPeriodType: unknown contractPeriodType 99"),
     ({"contractPeriodType": None}, "field contractPeriodType is missing"),
     ({"contractType": "seven"}, "field contractType"),
     ({"status": None}, "field status is missing"),
     ({"startDate": "not a date"}, "field startDate"),
     ({"contractName": 5}, "field contractName: expected text")],
)
def test_a_contract_that_cannot_be_read_says_which_field(fields, says):
    base = {"id": 7001, "companyID": 2, "contractType": 7, "contractPeriodType": 2, "status": 1,
            "startDate": "2024-02-10T00:00:00"}
    with pytest.raises(ProviderError) as raised:
        mapping.agreement_from_json({**base, **fields})
    assert str(raised.value).startswith("Autotask contract 7001") and says in str(raised.value)


def test_a_contract_of_another_type_needs_no_period():
    other = {"id": 1, "companyID": 2, "contractType": 1, "status": 1, "contractPeriodType": None}
    assert mapping.agreement_from_json(other).period_months == 1


def test_contract_status_one_is_active_anything_else_inactive():
    base = {"id": 1, "companyID": 2, "contractType": 7, "contractPeriodType": 2, "startDate": "2024-02-10T00:00:00"}
    assert mapping.agreement_from_json({**base, "status": 1}).status == "Active"
    assert mapping.agreement_from_json({**base, "status": 0}).status == "Inactive"
    assert mapping.agreement_from_json({**base, "status": 1}).billing_day == 10


def test_posted_through_is_the_latest_posted_row_end_per_contract():
    rows = [
        {"contractID": 1, "endDate": "2024-04-30T00:00:00", "approveAndPostDate": "2024-05-01T02:00:00"},
        {"contractID": 1, "endDate": "2024-05-31T00:00:00", "approveAndPostDate": "2024-06-01T02:00:00"},
        {"contractID": 1, "endDate": "2024-06-30T00:00:00", "approveAndPostDate": None},
        {"contractID": 2, "endDate": "2024-06-30T00:00:00"},
    ]
    assert mapping.posted_through(rows) == {1: date(2024, 5, 31)}


def change(action: str, **after) -> Change:
    return Change(action=action, client_id="t", client_name="C", agreement_id=7001, product_id="9001",
                  product_key="bp", line_kind="main", reason="r", effective_date="2024-06-15", after=after)


def test_adjustment_body_signed_units_exact_money_and_a_plain_date():
    body = mapping.adjustment_body(change("create_adjustment", quantity=-2, unit_price="119.15",
                                          unit_cost="15.00", service_id=9001, contract_id=7001))
    assert body == {"contractID": 7001, "serviceID": 9001, "unitChange": -2, "effectiveDate": "2024-06-15",
                    "adjustedUnitPrice": 119.15, "adjustedUnitCost": 15}
    assert Decimal(json.dumps(body["adjustedUnitPrice"])) == Decimal("119.15")


def test_service_patch_is_sparse():
    assert mapping.service_patch(change("update_line", invoice_description="x" * 150), 31) == {
        "id": 31, "invoiceDescription": "x" * 100}
    assert mapping.service_patch(change("update_line", unit_price="6.5"), 31) == {"id": 31, "unitPrice": 6.5}


def test_charge_body_has_one_marker_and_billable_defaults():
    c = Change(action="create_charge", client_id="t", client_name="C", agreement_id=7001, product_id="9001",
               product_key="bp", line_kind="charge", reason="r", effective_date="2024-06-01", key="K1",
               after={"quantity": -1, "unit_price": "9.76", "description": "Refund [ncesync:charge OLD]"})
    body = mapping.charge_body(c, name="n" * 120)
    assert body["description"] == "Refund [ncesync:charge K1]"
    assert (body["unitQuantity"], body["datePurchased"], len(body["name"])) == (-1, "2024-06-01", 100)
    assert (body["isBillableToCompany"], body["chargeType"], body["status"]) == (True, 1, 1)
    assert "billingCodeID" not in body
