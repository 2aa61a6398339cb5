"""One dated change per line and date (billing.md 3.2): every adjustment occupies its date,
the one that created the service included; a follow-up goes to the next free day after t*
in the same period, with its money said; E is read on the last occupied day."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from reconciler.billing.daily import plan_licence
from reconciler.billing.description import SAMPLE, LicenceText
from reconciler.plan.change import CREATE_ADJUSTMENT, UPDATE_LINE

from .conftest import Book, D, licence, sub


def _run(book: Book, day: str, quantity: int, **kw):
    item = licence("autotask", subs=(sub(quantity),), lines=book.read(D(day)), sync_date=D(day), **kw)
    outcome = plan_licence(item)
    for change in outcome.changes:
        book.apply(change, D(day))
    return outcome


def _adjustments(outcome):
    return [c for c in outcome.changes if c.action == CREATE_ADJUSTMENT]


def test_the_adjustment_that_created_the_service_occupies_its_date():
    """The issue's reproduction: 40 seats created from 07-01 on 06-20, 42 seen on 06-21."""
    book = Book("autotask")
    (created,) = _adjustments(_run(book, "2024-06-20", 40))
    assert (created.effective_date, created.after["quantity"], created.intended_date) == ("2024-07-01", 40, None)
    outcome = _run(book, "2024-06-21", 42)
    (change,) = _adjustments(outcome)
    assert (change.effective_date, change.after["quantity"]) == ("2024-07-02", 2)
    # 07-01 billed at 40 instead of 42: 2 x 20.00 x 1/31 = 1.29 less on July's invoice
    assert (change.intended_date, change.moved_effect) == ("2024-07-01", "-1.29")
    assert any("$1.29 less on the invoice of 2024-07-01 to 2024-07-31" in w for w in outcome.warnings)
    for day in ("2024-06-21", "2024-06-22", "2024-07-01", "2024-07-02", "2024-07-15"):
        assert _adjustments(_run(book, day, 42)) == [], day


def test_two_runs_on_one_day_under_prorate_never_share_a_date():
    book = Book("autotask")
    (first,) = _adjustments(_run(book, "2024-06-10", 5, prorate=True))
    assert first.effective_date == "2024-06-10"
    (second,) = _adjustments(_run(book, "2024-06-10", 8, prorate=True))
    assert (second.effective_date, second.after["quantity"], second.intended_date) == ("2024-06-11", 3, "2024-06-10")
    # 06-10 billed at 5 instead of 8: 3 x 20.00 x 1/30 = 2.00 less on June's invoice
    assert second.moved_effect == "-2.00"
    (third,) = _adjustments(_run(book, "2024-06-10", 7, prorate=True))
    assert (third.effective_date, third.after["quantity"]) == ("2024-06-12", -1)
    # E is the count on the last occupied day (06-11: 8), and the two moved days bill 7 + 8
    # seats where Dicker Data now says 7 each: one seat for two days more
    assert (third.before["units_in_force"], third.moved_effect) == (8, "1.33")
    assert _adjustments(_run(book, "2024-06-10", 7, prorate=True)) == []
    assert _adjustments(_run(book, "2024-06-11", 7, prorate=True)) == []
    assert _adjustments(_run(book, "2024-06-12", 7, prorate=True)) == []


def test_a_decrease_moved_by_a_day_bills_more_and_says_so():
    book = Book.with_main("autotask")
    _run(book, "2024-06-15", 15)  # +3 from 07-01
    outcome = _run(book, "2024-06-16", 13)
    (change,) = _adjustments(outcome)
    assert (change.effective_date, change.after["quantity"], change.moved_effect) == ("2024-07-02", -2, "1.29")
    assert any("$1.29 more on the invoice of 2024-07-01 to 2024-07-31" in w for w in outcome.warnings)


def test_no_free_day_left_in_the_period_waits_for_the_next_run():
    book = Book("autotask")
    _adjustments(_run(book, "2024-06-30", 5, prorate=True))  # 06-30, the last day of June
    outcome = _run(book, "2024-06-30", 6, prorate=True)
    assert outcome.changes == ()
    assert any("written by the next run, from 2024-07-01" in w for w in outcome.warnings)
    (next_night,) = _adjustments(_run(book, "2024-07-01", 6, prorate=True))
    assert (next_night.effective_date, next_night.after["quantity"], next_night.intended_date) == (
        "2024-07-01",
        1,
        None,
    )


def test_a_price_fix_on_an_occupied_date_is_not_moved():
    book = Book("autotask")
    _run(book, "2024-06-20", 40)
    outcome = _run(book, "2024-06-21", 40, profile_price=Decimal("21.00"))
    assert [c.action for c in outcome.changes] == [UPDATE_LINE]
    assert outcome.warnings == ()


def test_the_invoice_text_names_the_period_the_change_takes_effect_in():
    """An advance adjustment dated 07-01 says July and the July count, not June."""
    template = "{{ quantity }} seats, {{ period.start }} to {{ period.end }}, from {{ effective_date }}"
    book = Book.with_main("autotask")
    outcome = _run(book, "2024-06-15", 15, invoice_description=LicenceText(template, replace(SAMPLE, quantity=15)))
    (text,) = [c.after["invoice_description"] for c in outcome.changes if c.action == UPDATE_LINE]
    assert text == "15 seats, 2024-07-01 to 2024-07-31, from 2024-07-01"
