"""Pure conversion between ConnectWise records and the model."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from providers.connectwise import mapping
from providers.connectwise.marker import Marker, read_marker, strip_marker, with_marker
from reconciler.errors import ProviderError
from reconciler.model.psa import CHARGE, DELTA, MAIN, UnitSpan
from reconciler.plan.change import Change


def addition(**fields):
    record = {
        "id": 5001,
        "agreementId": 1001,
        "product": {"id": 700, "identifier": "M365-BP"},
        "quantity": 12.0,
        "unitPrice": 19.99,
        "unitCost": 15.0,
        "billCustomer": "Billable",
        "effectiveDate": "2024-05-01T00:00:00Z",
        "description": "Microsoft 365 Business Premium [ncesync:main]",
        "invoiceDescription": "M365 BP x 12",
    }
    record.update(fields)
    return record


def change(action, **after):
    return Change(
        action=action,
        client_id="tenant-1",
        client_name="Contoso Ltd",
        agreement_id=1001,
        product_id="M365-BP",
        product_key="m365-bp",
        line_kind={"create_delta": DELTA, "create_charge": CHARGE}.get(action, MAIN),
        reason="test",
        effective_date="2024-06-15",
        line_id=5001,
        after=after,
        key="INV-1|SUB|P1Y:X:0001|2024-05-01|2024-05-31|+" if action == "create_charge" else None,
    )


# -- markers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "kind", "key"),
    [
        ("Microsoft 365 Business Premium [ncesync:main]", MAIN, None),
        ("[ncesync:delta]", DELTA, None),
        ("May invoice [ncesync:charge INV-7|A|B:C|+]", CHARGE, "INV-7|A|B:C|+"),
        ("[ncesync:delta]  \n", DELTA, None),
        ("typed by hand", MAIN, None),
        ("", MAIN, None),
        (None, MAIN, None),
        ("[ncesync:delta] then a note after it", MAIN, None),  # not at the end: not ours
        ("[ncesync:charge]", MAIN, None),  # a charge without its key cannot be matched
    ],
)
def test_description_marker_gives_the_line_kind(description, kind, key):
    assert read_marker(description) == Marker(kind, key)


def test_with_marker_replaces_an_old_marker_instead_of_doubling_it():
    text = with_marker("M365 BP [ncesync:delta]", Marker(MAIN))
    assert text == "M365 BP [ncesync:main]"
    assert with_marker("", Marker(DELTA)) == "[ncesync:delta]"
    assert strip_marker(text) == "M365 BP"


def test_a_charge_key_that_would_break_the_marker_is_refused():
    with pytest.raises(ValueError, match="key"):
        with_marker("x", Marker(CHARGE, "INV]1"))


# -- dates --------------------------------------------------------------------------------


def test_cw_dates_keep_the_written_calendar_date_without_time_zone_shift():
    assert mapping.cw_date("2024-06-15T00:00:00Z") == date(2024, 6, 15)
    assert mapping.cw_date("2024-06-15T23:30:00Z") == date(2024, 6, 15)
    assert mapping.cw_date("2024-06-15T00:00:00+13:00") == date(2024, 6, 15)
    assert mapping.cw_date(None) is None
    assert mapping.cw_date("") is None


def test_dates_are_written_as_midnight_utc():
    assert mapping.cw_datetime(date(2024, 6, 1)) == "2024-06-01T00:00:00Z"
    assert mapping.cw_datetime("2024-06-30") == "2024-06-30T00:00:00Z"


# -- additions -> lines -------------------------------------------------------------------


def test_addition_becomes_a_line_with_one_span_and_decimal_money():
    line = mapping.line_from_json(addition(cancelledDate="2024-07-31T00:00:00Z"), 1001)
    assert line.id == 5001 and line.agreement_id == 1001 and line.product_id == "M365-BP"
    assert line.kind == MAIN
    assert line.spans == (UnitSpan(date(2024, 5, 1), date(2024, 7, 31), 12),)
    assert line.unit_price == Decimal("19.99") and isinstance(line.unit_price, Decimal)
    assert line.unit_cost == Decimal("15.0")
    assert line.invoice_description == "M365 BP x 12"


def test_money_parsed_as_decimal_stays_exact():
    line = mapping.line_from_json(addition(unitPrice=Decimal("36.30"), quantity=Decimal("-2.0")), 1)
    assert str(line.unit_price) == "36.30"
    assert line.spans[0].units == -2


def test_charge_line_carries_its_key_and_open_lines_have_no_end():
    line = mapping.line_from_json(addition(description="x [ncesync:charge K1|2]"), 1001)
    assert (line.kind, line.key) == (CHARGE, "K1|2")
    assert mapping.line_from_json(addition(), 1001).spans[0].end is None


def test_missing_agreement_id_in_the_record_falls_back_to_the_parent():
    record = addition()
    del record["agreementId"]
    assert mapping.line_from_json(record, 1234).agreement_id == 1234


# -- agreements ---------------------------------------------------------------------------


def agreement(**fields):
    record = {
        "id": 1001,
        "name": "Contoso M365",
        "company": {"id": 250, "identifier": "Contoso", "name": "Contoso Ltd"},
        "agreementStatus": "Active",
        "cancelledFlag": False,
        "prorateFlag": True,
        "billingCycle": {"id": 2, "name": "Monthly"},
        "startDate": "2024-01-01T00:00:00Z",
    }
    record.update(fields)
    return record


def test_agreement_fields():
    a = mapping.agreement_from_json(agreement(endDate="2025-12-31T00:00:00Z"))
    assert (a.id, a.company_id, a.name, a.status) == (1001, 250, "Contoso M365", "Active")
    assert a.prorate is True and a.is_active
    assert (a.start_date, a.end_date) == (date(2024, 1, 1), date(2025, 12, 31))
    assert (a.period_months, a.billing_day) == (1, 1)


def test_cancelled_flag_makes_the_agreement_cancelled_whatever_its_status():
    a = mapping.agreement_from_json(agreement(cancelledFlag=True, agreementStatus="Active"))
    assert a.status == "Cancelled" and not a.is_active
    assert mapping.agreement_from_json(agreement(agreementStatus="Expired")).status == "Expired"


@pytest.mark.parametrize(
    ("cycle", "months"),
    [("Monthly", 1), ("Quarterly", 3), ("Yearly", 12), ("Annual", 12), ("Semi-Annual", 6)],
)
def test_period_length_from_the_billing_cycle_name(cycle, months):
    assert mapping.agreement_from_json(agreement(billingCycle={"id": 9, "name": cycle})).period_months == months


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            {"billingCycle": {"id": 9, "name": "Fortnightly"}},
            "billingCycle: field name: unknown billing cycle 'Fortnightly'",
        ),
        ({"billingCycle": None}, "field billingCycle is missing"),
        ({"prorateFlag": None}, "field prorateFlag is missing"),
        ({"prorateFlag": "yes"}, "field prorateFlag: expected true or false"),
        ({"agreementStatus": "Pending"}, "field agreementStatus: unknown status 'Pending'"),
        ({"cancelledFlag": "false"}, "field cancelledFlag: expected true or false"),
        ({"startDate": "01/01/2024"}, "field startDate: expected an ISO date-time"),
        ({"company": {"id": "two"}}, "company: field id"),
        ({"company": []}, "company: expected a JSON object"),
    ],
)
def test_an_agreement_that_cannot_be_read_says_which_field(fields, says):
    with pytest.raises(ProviderError) as raised:
        mapping.agreement_from_json(agreement(**fields))
    assert str(raised.value).startswith("ConnectWise agreement 1001") and says in str(raised.value)


def test_an_addition_with_a_description_that_is_not_text_is_an_error_not_a_crash():
    with pytest.raises(ProviderError, match="field description: expected text"):
        mapping.line_from_json(addition(description=42), 1001)


def test_billing_day_from_bill_start_date_then_start_date_then_the_first():
    assert mapping.agreement_from_json(agreement(billStartDate="2024-02-15T00:00:00Z")).billing_day == 15
    assert mapping.agreement_from_json(agreement(startDate="2024-01-20T00:00:00Z")).billing_day == 20
    assert mapping.agreement_from_json(agreement(startDate=None)).billing_day == 1


def test_catalog_item():
    item = mapping.catalog_item_from_json(
        {"id": 700, "identifier": "M365-BP", "description": "Business Premium", "price": 20.0, "cost": 15.5}
    )
    assert (item.product_id, item.id, item.price, item.cost) == ("M365-BP", 700, Decimal("20.0"), Decimal("15.5"))


# -- model -> bodies ----------------------------------------------------------------------


def test_create_line_body():
    body = mapping.addition_body(
        change(
            "create_line",
            quantity=5,
            unit_price="36.30",
            unit_cost="27.45",
            effective_date="2024-06-10",
            invoice_description="x" * 7000,
            description="M365 BP",
        ),
        catalog_id=700,
    )
    assert body["product"] == {"id": 700}
    assert (body["quantity"], body["billCustomer"]) == (5, "Billable")
    assert body["effectiveDate"] == "2024-06-10T00:00:00Z"
    assert "cancelledDate" not in body
    assert len(body["invoiceDescription"]) == 6000
    assert body["description"] == "M365 BP [ncesync:main]"
    assert json.dumps([body["unitPrice"], body["unitCost"]]) == "[36.3, 27.45]"


def test_create_delta_body_is_signed_and_open_ended():
    body = mapping.addition_body(change("create_delta", quantity=-2, unit_price="20.00"), catalog_id=700)
    assert body["quantity"] == -2
    assert body["effectiveDate"] == "2024-06-15T00:00:00Z"  # falls back to the change's date
    assert "cancelledDate" not in body
    assert body["description"] == "[ncesync:delta]"
    assert body["unitPrice"] == 20 and isinstance(body["unitPrice"], int)


def test_create_charge_body_is_a_one_day_line_with_its_key():
    body = mapping.addition_body(
        change("create_charge", quantity=18, unit_price="119.15", effective_date="2024-06-30"),
        catalog_id=700,
    )
    assert body["effectiveDate"] == body["cancelledDate"] == "2024-06-30T00:00:00Z"
    assert body["description"] == "[ncesync:charge INV-1|SUB|P1Y:X:0001|2024-05-01|2024-05-31|+]"
    assert json.dumps(body["unitPrice"]) == "119.15"


def test_patch_has_one_replace_per_value_present():
    ops = mapping.patch_operations(change("update_line", unit_price="21.50", invoice_description="new"))
    assert ops == [
        {"op": "replace", "path": "/unitPrice", "value": 21.5},
        {"op": "replace", "path": "/invoiceDescription", "value": "new"},
    ]
    assert mapping.patch_operations(change("set_quantity", quantity=15)) == [
        {"op": "replace", "path": "/quantity", "value": 15}
    ]
    assert mapping.patch_operations(change("update_line", reason_only=True)) == []


def test_json_numbers_write_cents_exactly():
    for text in ("0.1", "119.15", "36.30", "1234567.89", "-14.67"):
        assert Decimal(json.dumps(mapping.json_number(text))) == Decimal(text)


@pytest.mark.parametrize(
    ("bill", "free"), [("Billable", False), (None, False), ("DoNotBill", True), ("NoCharge", True)]
)
def test_an_addition_not_billed_to_the_customer_is_read_as_free_of_charge(bill, free) -> None:
    assert mapping.line_from_json(addition(billCustomer=bill), 1001).free_of_charge is free


def test_an_unknown_bill_customer_value_is_refused_naming_the_addition() -> None:
    with pytest.raises(ProviderError, match=r"addition 5001 .*billCustomer: unknown value 'Sometimes'"):
        mapping.line_from_json(addition(billCustomer="Sometimes"), 1001)


def test_the_billing_cycle_starts_on_bill_start_date() -> None:
    a = mapping.agreement_from_json(agreement(startDate="2024-01-15T00:00:00Z", billStartDate="2024-02-01T00:00:00Z"))
    assert (a.start_date, a.cycle_start, a.billing_day) == (date(2024, 1, 15), date(2024, 2, 1), 1)
    a = mapping.agreement_from_json(agreement(startDate="2024-01-15T00:00:00Z", billStartDate=None))
    assert (a.cycle_start, a.billing_day) == (date(2024, 1, 15), 15)


def test_an_implausible_amount_is_refused_naming_the_addition() -> None:
    """1e26 overflows the money arithmetic's 28 digits: it was an internal error, exit 70."""
    with pytest.raises(ProviderError, match=r"addition 5001 .*unitPrice.*not a plausible amount"):
        mapping.line_from_json(addition(unitPrice=1e26), 1001)
    assert mapping.line_from_json(addition(unitPrice=999_999_999_999.99), 1001).unit_price == Decimal("999999999999.99")
