"""What a plan puts under "needs review", and why: one scenario per kind of outlier."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from reconciler.billing.daily import plan_licence
from reconciler.model.specs import ReviewSettings
from reconciler.plan import review
from reconciler.provider import Capabilities, SeatModel
from tests.billing.conftest import licence, line, product, sub

LIMITS = ReviewSettings()


def _review(item, limits: ReviewSettings = LIMITS):
    return review.licence_items(item, plan_licence(item), limits)


def _kinds(items) -> list[str]:
    return [i.kind for i in items]


def test_a_licence_moving_by_more_than_the_share_needs_review() -> None:
    [item] = _review(licence(subs=(sub(16),), lines=(line(1, 12),)))  # +4 of 12 = 33 %
    assert item.kind == review.SEAT_CHANGE
    assert item.why == "seats 12 → 16 (+4, +33.3 %): more than the review threshold (25 % or 10 seats)"
    assert (item.client_name, item.product_key) == ("Acme Ltd", "m365-bp")


def test_a_licence_moving_by_more_than_the_count_needs_review() -> None:
    limits = ReviewSettings(seat_change_percent=Decimal("500"))
    [item] = _review(licence(subs=(sub(23),), lines=(line(1, 12),)), limits)
    assert item.why.startswith("seats 12 → 23 (+11, +91.7 %)")


def test_a_routine_change_does_not_need_review() -> None:
    assert _review(licence(subs=(sub(13),), lines=(line(1, 12),))) == []


def test_the_share_counts_only_from_min_seats() -> None:
    small = line(1, 2)
    assert _review(licence(subs=(sub(4),), lines=(small,))) == []  # 2 -> 4 is +100 %, but tiny
    assert _kinds(_review(licence(subs=(sub(4),), lines=(small,)), replace(LIMITS, min_seats=2))) == [
        review.SEAT_CHANGE
    ]


def test_a_decrease_on_a_protected_licence_needs_review() -> None:
    item = licence(product=product(protect=True), subs=(sub(11),), lines=(line(1, 12),))
    [found] = _review(item)
    assert found.kind == review.PROTECTED_DECREASE
    assert found.why == "protected licence loses 1 seat (12 → 11); apply refuses it without --force"


def test_price_drift_needs_review_with_its_run_rate() -> None:
    [found] = _review(licence(lines=(line(1, 12, price=Decimal("18.00")),)))
    assert found.kind == review.PRICE_DRIFT
    assert found.why == "unit price $18.00 → $20.00 (the profile price); run-rate +$24.00/month"


def test_cost_drift_follows_dicker_data_with_its_margin_effect() -> None:
    item = licence(subs=(sub(12, cost=Decimal("16.50")),), lines=(line(1, 12),))
    outcome = plan_licence(item)
    [change] = outcome.changes
    assert change.before["unit_cost"] == "15.00" and change.after["unit_cost"] == "16.50"
    assert change.margin_change == "-18.00"  # 12 seats x 1.50 less margin a month
    assert change.runrate_change == "0.00"  # the customer pays the same
    [found] = review.licence_items(item, outcome, LIMITS)
    assert found.kind == review.COST_DRIFT
    assert found.why == "Dicker Data's cost $15.00 → $16.50; the PSA's margin -$18.00/month"


def test_with_unit_cost_leave_the_cost_is_not_followed() -> None:
    item = licence(subs=(sub(12, cost=Decimal("16.50")),), lines=(line(1, 12),), follow_cost=False)
    assert plan_licence(item).changes == ()


def test_selling_below_cost_needs_review_only_when_the_plan_changes_the_licence() -> None:
    cost = Decimal("22.00")
    changed = _review(licence(subs=(sub(13, cost=cost),), lines=(line(1, 12),), follow_cost=False))
    assert [(i.kind, i.why) for i in changed] == [
        (
            review.NEGATIVE_MARGIN,
            "sold at $20.00, below Dicker Data's cost $22.00: -$26.00/month for 13 seats",
        )
    ]
    assert _review(licence(subs=(sub(12, cost=cost),), lines=(line(1, 12),), follow_cost=False)) == []


def test_a_margin_below_the_configured_share_needs_review() -> None:
    limits = replace(LIMITS, min_margin_percent=Decimal("30"))
    [found] = _review(licence(subs=(sub(13),), lines=(line(1, 12),)), limits)
    assert found.kind == review.LOW_MARGIN
    assert found.why.startswith(
        "margin 25 % ($20.00 against Dicker Data's $15.00), below review.min_margin_percent 30 %"
    )


def test_a_change_moved_off_its_day_needs_review_with_the_money() -> None:
    item = licence("autotask", subs=(sub(13),), lines=(line(1, 12),))
    outcome = plan_licence(item)
    moved = replace(outcome.changes[0], effective_date="2024-06-16", intended_date="2024-06-15", moved_effect="-0.67")
    [found] = review.licence_items(item, replace(outcome, changes=(moved,)), LIMITS)
    assert found.kind == review.MOVED_DAY
    assert found.why == (
        "dated 2024-06-16 instead of 2024-06-15 (that day already holds a dated change); invoice effect -$0.67"
    )


def test_a_new_client_is_one_entry_instead_of_a_seat_change_per_licence() -> None:
    first = licence(subs=(sub(40),), lines=())
    outcome = plan_licence(first)
    items = review.licence_items(first, outcome, LIMITS)
    assert _kinds(items) == [review.SEAT_CHANGE]
    found = review.client_items("T-100", "Acme Ltd", list(outcome.changes), items, had_lines=False)
    assert [(i.kind, i.why) for i in found] == [
        (
            review.NEW_CLIENT,
            "new client: 1 new line, 40 seats, run-rate +$800.00/month; check the mapping before the first invoice",
        )
    ]
    assert review.client_items("T-100", "Acme Ltd", list(outcome.changes), items, had_lines=True) == items


def test_a_new_client_s_catch_up_charge_is_neither_a_line_nor_a_seat() -> None:
    """Xero in advance with proration: a new client of 10 seats on 06-15 gets its line and a
    one-off catch-up (quantity 1) for the rest of June; the review still reads 1 line, 10 seats."""
    catch_up = Capabilities(
        seat_model=SeatModel.QUANTITY, prorated_seat_model=SeatModel.QUANTITY_WITH_CATCH_UP, line_costs=False
    )
    first = licence(style="advance", prorate=True, subs=(sub(10),), lines=(), capabilities=catch_up)
    outcome = plan_licence(first)
    assert [c.action for c in outcome.changes] == ["create_charge", "create_line"]
    items = review.licence_items(first, outcome, LIMITS)
    (found,) = review.client_items("T-100", "Acme Ltd", list(outcome.changes), items, had_lines=False)
    assert found.why.startswith("new client: 1 new line, 10 seats, run-rate +$200.00/month")
