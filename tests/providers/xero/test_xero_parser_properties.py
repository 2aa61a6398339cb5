"""Xero's parsers fed records generated from Xero's own OpenAPI document, with random nulls,
extra members and odd values (tests/contract/records.py). A record is either read into the
model with values a bill can use, or refused with a ProviderError that names it; never a
crash, never a default that would bill the wrong amount."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.xero import mapping
from providers.xero.dates import ms_date, xero_date
from reconciler.errors import ProviderError
from reconciler.model.psa import CHARGE, MAIN
from tests.contract import openapi
from tests.contract.records import records

XERO = openapi.xero()
KEY = "c5644683-f5cc-5269-9c9f-731be1e89bb0"
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
XERO_DATES = st.one_of(
    st.dates().map(ms_date),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda ms: f"/Date({ms}+0000)/"),
    st.text(max_size=12),
)
ODD = st.one_of(st.none(), st.just(""), st.text(max_size=6), st.floats(allow_nan=True), st.booleans())


def mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a well-formed value, sometimes an odd one: so that a good share of the
    generated records gets past the first field and the deeper paths of a parser run too."""
    return st.integers(0, 9).flatmap(lambda roll: valid if roll < 8 else ODD)


UUIDS = st.uuids().map(str)
AMOUNTS = st.one_of(st.integers(-5, 10_000), st.decimals(-100, 10_000, places=2, allow_nan=False).map(float))
LINE = {
    "LineItemID": mostly(UUIDS),
    "ItemCode": mostly(st.text(min_size=1, max_size=12)),
    "Quantity": mostly(st.one_of(st.integers(-3, 500), st.floats(0, 500))),
    "UnitAmount": mostly(AMOUNTS),
}
SCHEDULE = {
    "Unit": mostly(st.sampled_from(["MONTHLY", "MONTHLY", "MONTHLY", "WEEKLY"])),
    "Period": mostly(st.one_of(st.just(1), st.integers(0, 13))),
    "NextScheduledDate": mostly(XERO_DATES),
    "EndDate": st.one_of(st.none(), XERO_DATES),
}
REPEATING_INVOICE = {
    "Type": mostly(st.sampled_from(["ACCREC", "ACCREC", "ACCPAY"])),
    "Status": mostly(st.sampled_from(["DRAFT", "AUTHORISED", "DELETED"])),
    "Schedule": mostly(records(XERO, "Schedule", fixed=SCHEDULE)),
    "Contact": mostly(st.fixed_dictionaries({"ContactID": mostly(UUIDS)})),
}
ITEM = {
    "Code": mostly(st.text(min_size=1, max_size=12)),
    "ItemID": mostly(UUIDS),
    "IsSold": st.one_of(st.booleans(), st.none()),
    "SalesDetails": mostly(st.fixed_dictionaries({"UnitPrice": mostly(AMOUNTS)})),
}
INVOICE = {"Date": mostly(XERO_DATES), "Status": mostly(st.sampled_from(["DRAFT", "SUBMITTED", "AUTHORISED", "PAID"]))}


def read_or_refuse(parse: Any, *args: Any) -> Any:
    """The parser's result, or None when it refused with ProviderError naming the record."""
    try:
        return parse(*args)
    except ProviderError as exc:
        assert str(exc).startswith("Xero "), exc
        return None


@PROPERTY
@given(records(XERO, "RepeatingInvoice", fixed=REPEATING_INVOICE))
def test_repeating_invoices(record: dict) -> None:
    agreement = read_or_refuse(mapping.agreement_from_json, record, KEY, mapping.SpecIds([KEY]))
    if agreement is not None:
        assert agreement.id == KEY
        assert agreement.status in ("Active", "Cancelled")
        assert record["Type"] == "ACCREC"  # a bill is never read as a sales template
        assert 1 <= agreement.billing_day <= 31


@PROPERTY
@given(records(XERO, "LineItem", fixed=LINE))
def test_template_lines(line: dict) -> None:
    read = read_or_refuse(mapping.template_line, line, KEY)
    if read is not None:
        assert read.kind == MAIN and read.agreement_id == KEY
        assert isinstance(read.spans[0].units, int)
        assert isinstance(read.unit_price, Decimal) and read.unit_price.is_finite()


@PROPERTY
@given(records(XERO, "LineItem", fixed=LINE), records(XERO, "Invoice", fixed=INVOICE))
def test_charge_lines(line: dict, invoice: dict) -> None:
    read = read_or_refuse(mapping.charge_line, line, invoice, KEY, "catch-up/2024-06-15/16>12")
    if read is not None:
        assert read.kind == CHARGE and read.key == "catch-up/2024-06-15/16>12"
        assert read.spans[0].start == read.spans[0].end  # dated the invoice's day
        assert read.unit_price.is_finite()
        assert read.billed == (invoice.get("Status") not in mapping.OPEN_INVOICE)


@PROPERTY
@given(records(XERO, "Item", fixed=ITEM))
def test_items(record: dict) -> None:
    item = read_or_refuse(mapping.catalog_item, record)
    if item is not None:
        assert item.price.is_finite() and item.cost.is_finite()
        assert record.get("IsSold") is not False  # an item Xero will not sell is refused
    accounts = mapping.item_accounts(record)  # booking details: absent is allowed, never a crash
    assert accounts.account_code is None or accounts.account_code.strip() == accounts.account_code


@PROPERTY
@given(st.one_of(XERO_DATES, st.none(), st.integers(), st.floats()))
def test_dates_are_a_calendar_date_or_a_value_error(value: Any) -> None:
    try:
        day = xero_date(value)
    except ValueError:
        return
    assert isinstance(day, date)


@PROPERTY
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)))
def test_a_written_date_reads_back_as_the_same_day(day: date) -> None:
    text = ms_date(day)
    assert xero_date(text) == day
    # and it is the midnight UTC Xero means by a date-only value
    ms = int(text[len("/Date(") : text.index("+")])
    assert datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms) == datetime(
        day.year, day.month, day.day, tzinfo=timezone.utc
    )


def test_a_date_outside_the_calendar_is_a_value_error_not_a_crash() -> None:
    try:
        xero_date("/Date(-62135596800001+0000)/")  # a millisecond before 1 January of year 1
    except ValueError as exc:
        assert "outside the years 1 to 9999" in str(exc)
    else:
        raise AssertionError("an out-of-range date was read")


def test_a_template_of_an_unknown_type_is_not_called_a_bill() -> None:
    record = {"Type": "SALES", "Status": "AUTHORISED", "Schedule": {"Unit": "MONTHLY", "Period": 1}}
    try:
        mapping.agreement_from_json(record, KEY, mapping.SpecIds([KEY]))
    except ProviderError as exc:
        assert "unknown type 'SALES'" in str(exc) and "bill" not in str(exc)
    else:
        raise AssertionError("a template of an unknown type was read")
