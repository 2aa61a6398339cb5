"""Desired counts, agreement problems, drift and idempotency of the per-licence decision."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.billing.daily import plan_licence
from reconciler.billing.desired import desired_count, unit_cost
from reconciler.plan.change import CREATE_ADJUSTMENT, CREATE_DELTA, SET_QUANTITY, UPDATE_LINE

from .conftest import Book, D, agreement, licence, line, product, sub


def test_only_active_subscriptions_count():
    subs = (sub(10), sub(3, "SUSPENDED"), sub(2, "CANCELLED"), sub(1, "EXPIRED"), sub(4, "DELETED"))
    assert desired_count(subs, count_trials=False) == 10


def test_no_subscriptions_count_zero():
    assert desired_count((), count_trials=False) == 0


def test_trials_count_only_when_the_mapping_says_so():
    subs = (sub(10), sub(25, is_trial=True, subscription_id="TRIAL"))
    assert desired_count(subs, count_trials=False) == 10
    assert desired_count(subs, count_trials=True) == 35
    item = licence(subs=subs, lines=(line(1, 10),), product=product(count_trials=True))
    (change,) = plan_licence(item).changes
    assert change.after == {"quantity": 35}


def test_weighted_cost_of_subscriptions_with_different_costs():
    subs = (sub(10, cost=Decimal("15.00")), sub(5, cost=Decimal("16.10"), subscription_id="B"))
    # (10 x 15.00 + 5 x 16.10) / 15 = 15.3666.. -> 15.37
    assert unit_cost(subs, count_trials=False) == Decimal("15.37")
    (change,) = plan_licence(licence(subs=subs, lines=(), sync_date=D("2024-06-10"))).changes
    assert change.after["unit_cost"] == "15.37"


def test_cost_ignores_suspended_seats_while_active_ones_remain():
    subs = (sub(10), sub(5, "SUSPENDED", cost=Decimal("99.00")))
    assert unit_cost(subs, count_trials=False) == Decimal("15.00")


def test_suspended_subscription_explains_a_decrease():
    subs = (sub(9), sub(3, "SUSPENDED", subscription_id="SUB-B"))
    (change,) = plan_licence(licence(subs=subs, lines=(line(1, 12),))).changes
    assert change.reason == (
        "Dicker Data has 9 active seats, ConnectWise bills 12 from 2024-06-15 "
        "(not counted: SUB-B (3 seats, SUSPENDED)); agreement does not prorate: main line 12 -> 9"
    )


def test_suspended_subscription_is_not_named_on_an_increase():
    subs = (sub(15), sub(3, "SUSPENDED", subscription_id="SUB-B"))
    (change,) = plan_licence(licence(subs=subs, lines=(line(1, 12),))).changes
    assert "SUB-B" not in change.reason


def test_all_suspended_sets_zero_and_keeps_the_line():
    (change,) = plan_licence(licence(subs=(sub(12, "SUSPENDED"),), lines=(line(1, 12),))).changes
    assert change.action == SET_QUANTITY
    assert change.after == {"quantity": 0}


def test_nothing_to_create_when_dd_has_no_active_seats():
    outcome = plan_licence(licence(subs=(sub(4, "CANCELLED"),), lines=()))
    assert outcome.changes == () and outcome.errors == ()


def test_missing_agreement_is_an_error_without_writes():
    outcome = plan_licence(licence(subs=(sub(15),), agreement=None))
    assert outcome.changes == ()
    assert "agreement 300 not found in ConnectWise" in outcome.errors[0]


def test_inactive_agreement_is_an_error_without_writes():
    outcome = plan_licence(licence(subs=(sub(15),), agreement=agreement(status="Cancelled")))
    assert outcome.changes == ()
    assert "agreement 300 is Cancelled; no change" in outcome.errors[0]


def test_cw_sync_date_after_agreement_end_is_an_error():
    ended = agreement(end_date=D("2024-05-31"))
    outcome = plan_licence(licence(subs=(sub(15),), lines=(line(1, 12),), agreement=ended))
    assert outcome.changes == ()
    (error,) = outcome.errors
    assert (
        "agreement 300 ended on 2024-05-31; no change. Renew or extend it, or map the client "
        "to the agreement that replaced it" in error
    )


def test_cw_noprorate_main_quantity_excludes_earlier_delta_lines():
    lines = (line(1, 12), line(2, 3, kind="delta", effective=D("2024-06-10")))
    (change,) = plan_licence(licence(subs=(sub(17),), lines=lines)).changes
    assert change.action == SET_QUANTITY
    assert change.line_id == 1
    assert (change.before, change.after) == ({"quantity": 12}, {"quantity": 14})
    assert change.runrate_change == "40.00"


def test_cw_noprorate_with_only_delta_lines_is_an_error():
    lines = (line(2, 3, kind="delta", effective=D("2024-06-10")),)
    outcome = plan_licence(licence(subs=(sub(17),), lines=lines))
    assert outcome.changes == ()
    assert "no main line" in outcome.errors[0]


def test_lines_of_other_products_are_never_touched():
    lines = (line(1, 12), line(5, 40, product_id="OTHER"))
    outcome = plan_licence(licence(subs=(sub(12),), lines=lines))
    assert outcome.changes == () and outcome.current == 12


def test_description_drift_updates_only_the_description():
    item = licence(
        subs=(sub(12),),
        lines=(line(1, 12, invoice_description="M365 x 12 (old)"),),
        invoice_description="M365 x 12 (2024-06-01 to 2024-06-30)",
    )
    (change,) = plan_licence(item).changes
    assert change.action == UPDATE_LINE
    assert change.line_id == 1
    assert change.before == {"invoice_description": "M365 x 12 (old)"}
    assert change.after == {"invoice_description": "M365 x 12 (2024-06-01 to 2024-06-30)"}
    assert change.runrate_change == "0.00"
    assert "differs: update the invoice description (rendered from the template)" in change.reason


def test_unmanaged_description_is_left_alone():
    item = licence(subs=(sub(12),), lines=(line(1, 12, invoice_description="by hand"),))
    assert plan_licence(item).changes == ()


def test_price_drift_updates_only_the_price():
    item = licence(subs=(sub(12),), lines=(line(1, 12, price=Decimal("18.0")),))
    (change,) = plan_licence(item).changes
    assert change.action == UPDATE_LINE
    assert (change.before, change.after) == ({"unit_price": "18.00"}, {"unit_price": "20.00"})
    assert change.runrate_change == "24.00"


def test_same_price_written_differently_is_not_drift():
    item = licence(subs=(sub(12),), lines=(line(1, 12, price=Decimal("20.0")),))
    assert plan_licence(item).changes == ()


def test_quantity_and_drift_on_cw_noprorate_are_one_set_quantity():
    item = licence(
        subs=(sub(15),),
        lines=(line(1, 12, price=Decimal("18.00"), invoice_description="old"),),
        invoice_description="new",
    )
    (change,) = plan_licence(item).changes
    assert change.action == SET_QUANTITY
    assert change.before == {"quantity": 12, "unit_price": "18.00", "invoice_description": "old"}
    assert change.after == {"quantity": 15, "unit_price": "20.00", "invoice_description": "new"}
    assert change.runrate_change == "84.00"  # 15 x 20.00 - 12 x 18.00


def test_quantity_and_drift_on_cw_prorate_are_a_delta_and_an_update():
    item = licence(prorate=True, subs=(sub(15),), lines=(line(1, 12, price=Decimal("18.00")),))
    delta, update = plan_licence(item).changes
    assert (delta.action, delta.line_kind) == (CREATE_DELTA, "delta")
    assert (update.action, update.line_kind, update.line_id) == (UPDATE_LINE, "main", 1)
    assert update.after == {"unit_price": "20.00"}


def test_autotask_adjustment_carries_the_price_fix_and_the_text_is_a_change_of_its_own():
    """One write per change: the adjustment carries price and cost; the invoice text, which
    is not part of an adjustment, is its own update of the contract service."""
    item = licence(
        "autotask",
        prorate=True,
        subs=(sub(15),),
        lines=(line(500, 12, price=Decimal("18.00")),),
        invoice_description="new",
    )
    adjustment, text = plan_licence(item).changes
    assert adjustment.action == CREATE_ADJUSTMENT
    assert adjustment.before == {"units_in_force": 12, "unit_price": "18.00"}
    assert adjustment.after["unit_price"] == "20.00"
    assert "invoice_description" not in adjustment.after
    assert (text.action, text.line_id) == (UPDATE_LINE, 500)
    assert (text.before, text.after) == ({"invoice_description": ""}, {"invoice_description": "new"})
    # The new price applies to the 12 seats already billed as well: 15 x 20.00 - 12 x 18.00
    assert adjustment.runrate_change == "84.00"
    # from 15 June in a 30-day June: 3 x 20.00 x 16/30 + 12 x 2.00 x 16/30 = 32.00 + 12.80
    assert adjustment.one_off == "44.80"


def test_description_cut_to_the_psa_limit_is_not_drift():
    long_text = "Microsoft 365 Business Premium x 12 for June 2024, Acme Ltd"
    item = licence(
        "autotask",
        subs=(sub(12),),
        lines=(line(500, 12, invoice_description=long_text[:19] + "…"),),
        invoice_description=long_text,
        description_limit=20,
    )
    assert plan_licence(item).changes == ()


def test_description_drift_fixed_once_then_quiet():
    book = Book.with_main()
    desc = "M365 x 15 (2024-06-01 to 2024-06-30)"
    writes = []
    for day in ("2024-06-15", "2024-06-16"):
        lines = book.read(D(day))
        item = licence(subs=(sub(15),), lines=lines, sync_date=D(day), invoice_description=desc)
        outcome = plan_licence(item)
        for change in outcome.changes:
            book.apply(change, D(day))
        writes.append([c.action for c in outcome.changes])
    assert writes == [[SET_QUANTITY], []]


def test_cw_prorate_idempotent_across_days_and_periods():
    book = Book.with_main()
    days = ("2024-06-15", "2024-06-16", "2024-07-01", "2024-09-30")
    writes = []
    for day in days:
        item = licence(prorate=True, subs=(sub(15),), lines=book.read(D(day)), sync_date=D(day))
        outcome = plan_licence(item)
        for change in outcome.changes:
            book.apply(change, D(day))
        writes.append(len(outcome.changes))
    assert writes == [1, 0, 0, 0]


def test_rerun_same_day_after_write_changes_nothing():
    book = Book.with_main()
    for _ in range(2):
        item = licence(subs=(sub(15),), lines=book.read(D("2024-06-15")))
        outcome = plan_licence(item)
        for change in outcome.changes:
            book.apply(change, D("2024-06-15"))
    assert outcome.changes == ()


def test_missing_catalog_id_cannot_create():
    outcome = plan_licence(licence(subs=(sub(5),), lines=(), catalog_id=None))
    assert outcome.changes == ()
    assert "no PSA id" in outcome.errors[0]


def test_cost_drift_follows_dicker_data_on_the_main_line():
    """Dicker Data raised its cost from 15.00 to 16.50: the main line's unit cost follows."""
    item = licence(subs=(sub(12, cost=Decimal("16.50")),), lines=(line(1, 12),))
    (change,) = plan_licence(item).changes
    assert change.action == UPDATE_LINE
    assert (change.before, change.after) == ({"unit_cost": "15.00"}, {"unit_cost": "16.50"})
    assert "the unit cost 15.00 -> 16.50 (Dicker Data's cost)" in change.reason
    assert change.runrate_change == "0.00"  # the customer's invoice does not move


def test_no_counted_seats_leaves_the_cost_alone():
    item = licence(subs=(sub(0, cost=Decimal("99.00")),), lines=(line(1, 0),))
    assert plan_licence(item).changes == ()


def test_a_line_that_bills_the_customer_nothing_stops_the_licence_with_the_fix() -> None:
    """A main line the PSA invoices nobody for (ConnectWise DoNotBill, NoCharge): changing its
    seats would leave the invoice at nothing, so the licence is an error and nothing is written."""
    free = replace(line(7, 12), free_of_charge=True)
    outcome = plan_licence(licence(subs=(sub(15),), lines=(free,)))
    assert outcome.changes == ()
    (error,) = outcome.errors
    assert "line 7 active on 2024-06-15 bills the customer nothing" in error
    assert "make the line billable, or leave the stock code out of this client" in error


def test_a_free_line_that_has_ended_does_not_stop_the_licence() -> None:
    ended = replace(line(7, 4, cancelled=D("2024-05-31")), free_of_charge=True)
    (change,) = plan_licence(licence(subs=(sub(15),), lines=(line(1, 12), ended))).changes
    assert (change.action, change.after["quantity"]) == (SET_QUANTITY, 15)


def test_a_subscription_of_an_unknown_status_stops_the_licence_not_reads_as_zero() -> None:
    """'ACTIV' (a typo in an export) is not 'not active': read so, the seats would go to zero."""
    outcome = plan_licence(licence(subs=(sub(15, "ACTIV"),), lines=(line(1, 15),)))
    assert outcome.changes == ()
    (error,) = outcome.errors
    assert "has status 'ACTIV', which ncesync does not know" in error and "no change" in error


@pytest.mark.parametrize("status", ["SUSPENDED", "CANCELLED", "EXPIRED", "PENDING", "DISABLED", "DELETED", "NONE"])
def test_every_known_status_other_than_active_counts_no_seats(status: str) -> None:
    (change,) = plan_licence(licence(subs=(sub(15), sub(4, status)), lines=(line(1, 19),))).changes
    assert (change.action, change.after["quantity"]) == (SET_QUANTITY, 15)
