"""Pure conversion between Autotask JSON and the model."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from providers.autotask import mapping
from reconciler.errors import ProviderError
from reconciler.plan.change import Change

SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(("value", "months"), [(2, 1), (3, 3), (4, 6), (5, 12), ("5", 12)])
def test_period_months_from_contract_period_type(value, months):
    assert mapping.period_months(value) == months


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"contractPeriodType": 99}, "field contractPeriodType: unknown contractPeriodType 99"),
        ({"contractPeriodType": None}, "field contractPeriodType is missing"),
        ({"contractType": "seven"}, "field contractType"),
        ({"status": None}, "field status is missing"),
        ({"startDate": "not a date"}, "field startDate"),
        ({"contractName": 5}, "field contractName: expected text"),
    ],
)
def test_a_contract_that_cannot_be_read_says_which_field(fields, says):
    base = {
        "id": 7001,
        "companyID": 2,
        "contractType": 7,
        "contractPeriodType": 2,
        "status": 1,
        "startDate": "2024-02-10T00:00:00",
    }
    with pytest.raises(ProviderError) as raised:
        mapping.agreement_from_json({**base, **fields}, zone=SYDNEY)
    assert str(raised.value).startswith("Autotask contract 7001") and says in str(raised.value)


def test_a_contract_of_another_type_needs_no_period():
    other = {"id": 1, "companyID": 2, "contractType": 1, "status": 1, "contractPeriodType": None}
    assert mapping.agreement_from_json(other, zone=SYDNEY).period_months == 1


def test_contract_status_one_is_active_anything_else_inactive():
    base = {"id": 1, "companyID": 2, "contractType": 7, "contractPeriodType": 2, "startDate": "2024-02-10T00:00:00"}
    assert mapping.agreement_from_json({**base, "status": 1}, zone=SYDNEY).status == "Active"
    assert mapping.agreement_from_json({**base, "status": 0}, zone=SYDNEY).status == "Inactive"
    assert mapping.agreement_from_json({**base, "status": 1}, zone=SYDNEY).billing_day == 10


def test_posted_through_is_the_latest_posted_row_end_per_contract():
    rows = [
        {"contractID": 1, "endDate": "2024-04-30T00:00:00", "approveAndPostDate": "2024-05-01T02:00:00"},
        {"contractID": 1, "endDate": "2024-05-31T00:00:00", "approveAndPostDate": "2024-06-01T02:00:00"},
        {"contractID": 1, "endDate": "2024-06-30T00:00:00", "approveAndPostDate": None},
        {"contractID": 2, "endDate": "2024-06-30T00:00:00"},
    ]
    assert mapping.posted_through(rows, zone=SYDNEY) == {1: date(2024, 5, 31)}


def change(action: str, **after) -> Change:
    return Change(
        action=action,
        client_id="t",
        client_name="C",
        agreement_id=7001,
        product_id="9001",
        product_key="bp",
        line_kind="main",
        reason="r",
        effective_date="2024-06-15",
        after=after,
    )


def test_adjustment_body_signed_units_exact_money_and_a_plain_date():
    body = mapping.adjustment_body(
        change(
            "create_adjustment", quantity=-2, unit_price="119.15", unit_cost="15.00", service_id=9001, contract_id=7001
        ),
        database_zone=SYDNEY,
    )
    assert body == {
        "contractID": 7001,
        "serviceID": 9001,
        "unitChange": -2,
        "effectiveDate": "2024-06-15T00:00:00",
        "adjustedUnitPrice": 119.15,
        "adjustedUnitCost": 15,
    }
    assert Decimal(json.dumps(body["adjustedUnitPrice"])) == Decimal("119.15")


def test_service_patch_is_sparse():
    assert mapping.service_patch(change("update_line", invoice_description="x" * 150), 31) == {
        "id": 31,
        "invoiceDescription": "x" * 100,
    }
    assert mapping.service_patch(change("update_line", unit_price="6.5"), 31) == {"id": 31, "unitPrice": 6.5}


def test_charge_body_has_one_marker_and_billable_defaults():
    c = Change(
        action="create_charge",
        client_id="t",
        client_name="C",
        agreement_id=7001,
        product_id="9001",
        product_key="bp",
        line_kind="charge",
        reason="r",
        effective_date="2024-06-01",
        key="K1",
        after={"quantity": -1, "unit_price": "9.76", "description": "Refund [ncesync:charge OLD]"},
    )
    body = mapping.charge_body(c, name="n" * 120, database_zone=SYDNEY)
    assert body["description"] == "Refund [ncesync:charge K1]"
    assert (body["unitQuantity"], body["datePurchased"], len(body["name"])) == (-1, "2024-06-01T00:00:00", 100)
    assert (body["isBillableToCompany"], body["chargeType"], body["status"]) == (True, 1, 1)
    assert "billingCodeID" not in body


def _row(start: str, end: str, units: int, price: float = 20.0) -> dict:
    return {
        "id": hash(start) % 1000,
        "contractID": 7001,
        "contractServiceID": 1,
        "serviceID": 9001,
        "startDate": f"{start}T00:00:00",
        "endDate": f"{end}T00:00:00",
        "units": units,
        "price": price,
    }


SERVICE = {"id": 1, "contractID": 7001, "serviceID": 9001, "unitPrice": 20.0}


def test_each_adjustment_shows_on_the_unit_rows_as_an_occupied_date():
    rows = [
        _row("2024-05-01", "2024-05-31", 12),
        _row("2024-06-01", "2024-06-14", 12),
        _row("2024-06-15", "2024-06-30", 15),
        _row("2024-07-01", "2024-07-31", 15),
        _row("2024-08-01", "2024-08-31", 15, price=21.0),
    ]
    line = mapping.line_from_json(SERVICE, rows, zone=SYDNEY, rows_from=date(2024, 4, 20))
    # 06-15: the units change; 08-01: the adjusted price; 06-01 and 07-01: only new periods.
    # 05-01: no row covers 04-30, though rows from 04-20 on were read: the service began then.
    assert line.dated_change_days == {date(2024, 5, 1), date(2024, 6, 15), date(2024, 8, 1)}


def test_the_first_row_read_is_not_a_creation_when_earlier_rows_were_not_read():
    rows = [_row("2024-05-01", "2024-05-31", 12), _row("2024-06-01", "2024-06-30", 12)]
    line = mapping.line_from_json(SERVICE, rows, zone=SYDNEY, rows_from=date(2024, 5, 19))
    assert line.dated_change_days == frozenset()


def test_a_service_created_by_an_adjustment_next_month_occupies_that_day():
    """What the sandbox (and Autotask) hold after `+40 from 07-01` created the service."""
    rows = [_row("2024-07-01", "2024-07-31", 40), _row("2024-08-01", "2024-08-31", 40)]
    line = mapping.line_from_json(SERVICE, rows, zone=SYDNEY, rows_from=date(2024, 5, 19))
    assert line.dated_change_days == {date(2024, 7, 1)}
