"""Autotask: when adjustments take effect, and what stops them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.billing.daily import plan_licence
from reconciler.plan.change import CREATE_ADJUSTMENT

from .conftest import JULY, JUNE, Book, D, agreement, licence, sub


def _run(book: Book, day: str, quantity: int, **kw):
    item = licence("autotask", subs=(sub(quantity),), lines=book.read(D(day)), sync_date=D(day), **kw)
    outcome = plan_licence(item)
    for change in outcome.changes:
        book.apply(change, D(day))
    return outcome


def test_arrears_noprorate_unposted_june_adjusts_from_june_1st():
    book = Book.with_main("autotask")
    (change,) = _run(book, "2024-06-15", 15, style="arrears").changes
    assert change.action == CREATE_ADJUSTMENT
    assert change.effective_date == "2024-06-01"
    assert "current period not yet posted: adjustment +3 from 2024-06-01" in change.reason
    assert book.invoice(JUNE, style="arrears", prorate=False) == Decimal("300.00")
    assert book.invoice(JULY, style="arrears", prorate=False) == Decimal("300.00")
    assert _run(book, "2024-06-16", 15, style="arrears").changes == ()


def test_arrears_noprorate_posted_june_adjusts_from_july_1st():
    posted = agreement(posted_through=D("2024-06-30"))
    book = Book.with_main("autotask")
    (change,) = _run(book, "2024-06-15", 15, style="arrears", agreement=posted).changes
    assert change.effective_date == "2024-07-01"
    assert "current period already posted" in change.reason
    assert book.invoice(JUNE, style="arrears", prorate=False) == Decimal("240.00")
    assert book.invoice(JULY, style="arrears", prorate=False) == Decimal("300.00")


def test_posted_through_an_earlier_period_leaves_june_open():
    posted = agreement(posted_through=D("2024-05-31"))
    book = Book.with_main("autotask")
    (change,) = _run(book, "2024-06-15", 15, style="arrears", agreement=posted).changes
    assert change.effective_date == "2024-06-01"


@pytest.mark.parametrize(
    "style,prorate,end,effective",
    [
        ("advance", False, "2024-06-30", "2024-07-01"),
        ("arrears", False, "2024-06-30", "2024-07-01"),
    ],
)
def test_adjustment_after_contract_end_is_an_error(style, prorate, end, effective):
    ending = agreement(end_date=D(end), posted_through=D("2024-06-30"))
    book = Book.with_main("autotask")
    outcome = _run(book, "2024-06-15", 15, style=style, prorate=prorate, agreement=ending)
    assert outcome.changes == ()
    (error,) = outcome.errors
    assert (
        "Dicker Data has 15 seats, the contract 300 bills 12 to its end; no change: contract 300 "
        f"ends on {end}, before {effective}, the date this billing style makes a change effective; "
        "renew or extend it in Autotask" in error
    )


@pytest.mark.parametrize("style", ["advance", "arrears"])
def test_unchanged_seats_in_a_contracts_last_period_are_a_warning_not_an_error(style):
    """A contract ending 06-30: the change date (07-01) is past its end, but Dicker Data
    still has the 12 seats billed to the end, so nothing is wrong tonight but the renewal."""
    ending = agreement(end_date=D("2024-06-30"), posted_through=D("2024-06-30"))
    outcome = _run(Book.with_main("autotask"), "2024-06-15", 12, style=style, agreement=ending)
    assert (outcome.changes, outcome.errors) == ((), ())
    (warning,) = outcome.warnings
    assert "contract 300 ends on 2024-06-30, before 2024-07-01" in warning
    assert (outcome.desired, outcome.current) == (12, 12)


def test_an_expired_contract_is_an_error_that_says_what_to_do():
    ended = agreement(end_date=D("2024-05-31"))
    outcome = _run(Book.with_main("autotask"), "2024-06-15", 12, style="arrears", agreement=ended)
    assert outcome.changes == ()
    (error,) = outcome.errors
    assert "contract 300 ended on 2024-05-31; no change. Renew or extend it" in error


def test_adjustment_before_contract_start_is_an_error():
    later = agreement(start_date=D("2024-06-10"))
    outcome = _run(Book.with_main("autotask"), "2024-06-15", 15, style="arrears", agreement=later)
    assert outcome.changes == ()
    assert "effective 2024-06-01 lies outside the contract 300 dates" in outcome.errors[0]


def test_prorate_adjustment_inside_contract_dates_is_sent():
    ending = agreement(end_date=D("2024-06-30"))
    outcome = _run(Book.with_main("autotask"), "2024-06-15", 15, prorate=True, agreement=ending)
    assert [c.effective_date for c in outcome.changes] == ["2024-06-15"]


def test_second_change_before_next_period_is_dated_the_day_after_and_stays_idempotent():
    """Autotask takes one adjustment per service and date: +3 is dated 07-01 (advance), the
    follow-up +1 seen on 06-20 is dated 07-02, and later runs write nothing more."""
    book = Book.with_main("autotask")
    _run(book, "2024-06-15", 15)
    outcome = _run(book, "2024-06-20", 16)
    (change,) = outcome.changes
    assert (change.effective_date, change.after["quantity"]) == ("2024-07-02", 1)
    # 07-01 stays at 15 seats: 1 seat x 20.00 x 1/31 = 0.65 less on July's invoice
    assert (change.intended_date, change.moved_effect) == ("2024-07-01", "-0.65")
    (warning,) = outcome.warnings
    assert "2024-07-01 already holds a dated change" in warning and "this one is dated 2024-07-02" in warning
    assert "$0.65 less on the invoice of 2024-07-01 to 2024-07-31" in warning
    for day in ("2024-06-21", "2024-06-30", "2024-07-05"):
        later = _run(book, day, 16)
        assert later.changes == () and later.warnings == ()  # nothing moved, nothing to say


def test_a_moved_arrears_adjustment_still_says_the_period_is_not_posted():
    book = Book.with_main("autotask")
    _run(book, "2024-06-15", 15, style="arrears")
    (change,) = _run(book, "2024-06-20", 17, style="arrears").changes
    assert change.effective_date == "2024-06-02"
    assert "current period not yet posted: adjustment +2 from 2024-06-02" in change.reason


def test_a_price_fix_alone_on_a_date_taken_by_an_adjustment_warns_of_no_move():
    book = Book.with_main("autotask")
    _run(book, "2024-06-15", 15, style="arrears")
    outcome = _run(book, "2024-06-20", 15, style="arrears", profile_price=Decimal("21.00"))
    (change,) = outcome.changes
    assert change.after == {"unit_price": "21.00"}
    assert outcome.warnings == ()


def test_period_boundary_alone_is_not_taken_for_an_adjustment():
    book = Book.with_main("autotask")
    (change,) = _run(book, "2024-06-30", 14).changes
    assert change.effective_date == "2024-07-01"
    assert change.after["quantity"] == 2


def test_missing_service_is_created_by_its_first_adjustment():
    book = Book("autotask")
    (change,) = _run(book, "2024-06-10", 5, prorate=True).changes
    assert change.action == CREATE_ADJUSTMENT
    assert change.line_id is None
    assert change.after["quantity"] == 5
    assert change.effective_date == "2024-06-10"
    assert change.one_off == "70.00"
    assert "creates the contract service" in change.reason
    assert _run(book, "2024-06-11", 5, prorate=True).changes == ()


def test_missing_service_without_proration_starts_next_period():
    (change,) = _run(Book("autotask"), "2024-06-10", 5).changes
    assert change.effective_date == "2024-07-01"
    assert change.one_off == "0.00"


def test_idempotent_across_days_until_dd_changes():
    book = Book.with_main("autotask")
    _run(book, "2024-06-15", 15)
    for day in ("2024-06-16", "2024-06-30", "2024-07-01", "2024-07-02", "2024-08-15"):
        assert _run(book, day, 15).changes == (), day
    (change,) = _run(book, "2024-08-16", 13).changes
    assert (change.after["quantity"], change.effective_date) == (-2, "2024-09-01")


def test_a_change_seen_on_a_periods_first_day_takes_effect_the_next_period():
    """Invoicing day: July was invoiced on 07-01 before that night's sync, so advance billing
    without proration dates the change seen that night on 08-01."""
    (change,) = _run(Book.with_main("autotask"), "2024-07-01", 14).changes
    assert (change.effective_date, change.after["quantity"]) == ("2024-08-01", 2)
