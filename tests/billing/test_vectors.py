"""TV-2 .. TV-6 of billing.md 3.3. TV-7 (source outage) is a safety-guard matter, not a
billing rule: it is tested with the safety guards, not here."""

from __future__ import annotations

from decimal import Decimal

from reconciler.billing.daily import plan_licence
from reconciler.plan.change import CREATE_DELTA, CREATE_LINE, SET_QUANTITY

from .conftest import CATALOG_ID, JULY, JUNE, Book, D, licence, line, product, sub


def _run(book: Book, day: str, quantity: int, **kw):
    item = licence(subs=(sub(quantity),), lines=book.read(D(day)), sync_date=D(day), **kw)
    outcome = plan_licence(item)
    for change in outcome.changes:
        book.apply(change, D(day))
    return outcome


def test_tv2_decrease_cw_arrears_prorate():
    book = Book.with_main()
    outcome = _run(book, "2024-06-20", 10, style="arrears", prorate=True)
    (change,) = outcome.changes
    assert change.action == CREATE_DELTA
    assert change.after["quantity"] == -2
    assert change.effective_date == "2024-06-20"
    assert change.one_off == "-14.67"
    assert change.runrate_change == "-40.00"
    assert book.invoice(JUNE, style="arrears", prorate=True) == Decimal("225.33")
    assert book.invoice(JULY, style="arrears", prorate=True) == Decimal("200.00")
    assert _run(book, "2024-06-21", 10, style="arrears", prorate=True).changes == ()


def test_tv2_decrease_cw_advance_noprorate():
    book = Book.with_main()
    (change,) = _run(book, "2024-06-20", 10).changes
    assert change.action == SET_QUANTITY
    assert (change.before, change.after) == ({"quantity": 12}, {"quantity": 10})
    assert book.invoice(JUNE, style="advance", prorate=False) == Decimal("240.00")
    assert book.invoice(JULY, style="advance", prorate=False) == Decimal("200.00")


def test_tv3_missing_product_creates_main_line():
    outcome = plan_licence(licence(subs=(sub(5),), lines=(), sync_date=D("2024-06-10")))
    (change,) = outcome.changes
    assert outcome.current is None and outcome.desired == 5
    assert change.action == CREATE_LINE
    assert change.line_kind == "main"
    assert change.effective_date == "2024-06-10"
    assert change.after == {
        "quantity": 5,
        "unit_price": "20.00",
        "unit_cost": "15.00",
        "effective_date": "2024-06-10",
        "catalog_id": CATALOG_ID,
    }
    assert change.runrate_change == "100.00"
    assert change.one_off == "0.00"


def test_tv3_on_prorating_agreement_one_off_is_the_partial_june():
    item = licence(prorate=True, subs=(sub(5),), lines=(), sync_date=D("2024-06-10"))
    (change,) = plan_licence(item).changes
    assert change.one_off == "70.00"  # 5 x 20 x 21/30


def test_tv3_created_line_is_not_created_again():
    book = Book()
    _run(book, "2024-06-10", 5)
    assert _run(book, "2024-06-10", 5).changes == ()
    assert _run(book, "2024-06-11", 5).changes == ()


def test_tv4_up_and_down_in_one_month_cw_arrears_prorate():
    book = Book.with_main()
    (up,) = _run(book, "2024-06-10", 15, style="arrears", prorate=True).changes
    (down,) = _run(book, "2024-06-20", 13, style="arrears", prorate=True).changes
    assert (up.after["quantity"], up.effective_date) == (3, "2024-06-10")
    assert (down.after["quantity"], down.effective_date) == (-2, "2024-06-20")
    assert (up.one_off, down.one_off) == ("42.00", "-14.67")
    assert book.invoice(JUNE, style="arrears", prorate=True) == Decimal("267.33")
    assert book.invoice(JULY, style="arrears", prorate=True) == Decimal("260.00")


def test_tv5_no_change_no_write():
    outcome = plan_licence(licence(subs=(sub(12),), lines=(line(1, 12),)))
    assert (outcome.changes, outcome.errors, outcome.warnings) == ((), (), ())
    assert (outcome.desired, outcome.current) == (12, 12)


def test_tv6_duplicate_main_lines_stop_only_that_licence():
    other = product(key="exo-p1", name="Exchange Online Plan 1", psa_product="EXOP1")
    duplicated = licence(subs=(sub(15),), lines=(line(7, 12), line(3, 2)))
    fine = licence(
        product=other,
        subs=(sub(4),),
        lines=(line(8, 2, product_id="EXOP1"),),
    )

    bad, good = plan_licence(duplicated), plan_licence(fine)

    assert bad.changes == ()
    (error,) = bad.errors
    for part in ("Acme Ltd", "T-100", "agreement 300", "M365BP", "line ids 3, 7"):
        assert part in error
    assert [c.action for c in good.changes] == [SET_QUANTITY]
    assert good.errors == ()


def test_tv6_cancelled_main_line_is_not_a_duplicate():
    lines = (line(3, 10, cancelled=D("2024-05-31")), line(7, 12, effective=D("2024-06-01")))
    outcome = plan_licence(licence(subs=(sub(12),), lines=lines))
    assert outcome.errors == () and outcome.changes == ()


def test_tv6_delta_lines_are_not_duplicates():
    lines = (line(1, 12), line(2, 3, kind="delta", effective=D("2024-06-15")))
    outcome = plan_licence(licence(prorate=True, subs=(sub(15),), lines=lines))
    assert outcome.errors == () and outcome.changes == ()
    assert outcome.current == 15


def test_future_dated_line_is_warned_about_not_counted():
    lines = (line(1, 12), line(4, 3, effective=D("2024-07-01")))
    outcome = plan_licence(licence(subs=(sub(12),), lines=lines))
    assert outcome.changes == () and outcome.errors == ()
    (warning,) = outcome.warnings
    assert "line 4 starts on 2024-07-01, after 2024-06-15" in warning
