"""Seat model `quantity_with_catch_up` against billing.md 3.3's vectors, for a PSA whose
invoices bill a line's quantity for whole periods: the quantity write plus a one-off
catch-up charge that brings the period to billing.md 3.1's prorated outcome.

June 2024 (30 days), 20.00 a seat, 12 seats; the whole-period invoice of June is 12 x 20.00
in advance (issued 06-01) and the count at the period's end in arrears.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.billing.catch_up import amount
from reconciler.billing.daily import plan_licence
from reconciler.model.psa import CHARGE
from reconciler.plan.change import CREATE_CHARGE, CREATE_LINE, SET_QUANTITY
from reconciler.provider import Capabilities, SeatModel

from .conftest import JUNE, D, licence, line, sub

CATCH_UP = Capabilities(
    seat_model=SeatModel.QUANTITY, prorated_seat_model=SeatModel.QUANTITY_WITH_CATCH_UP, line_costs=False
)


TWELVE = (line(1, 12),)  # the main line, 12 seats since May


def _plan(n: int, day: str, *, style: str, lines=TWELVE, prorate: bool = True):
    return plan_licence(
        licence(
            style=style, prorate=prorate, subs=(sub(n),), lines=tuple(lines), sync_date=D(day), capabilities=CATCH_UP
        )
    )


def _whole_period(style: str, before: int, after: int) -> Decimal:
    """What the PSA's own June invoice bills: the count at 06-01 (advance) or 06-30 (arrears)."""
    return Decimal(before if style == "advance" else after) * Decimal("20.00")


@pytest.mark.parametrize(("style", "charge", "june"), [("advance", "32.00", "272.00"), ("arrears", "-28.00", "272.00")])
def test_tv1_three_more_seats_on_june_15(style: str, charge: str, june: str) -> None:
    outcome = _plan(15, "2024-06-15", style=style)
    catch_up, quantity = outcome.changes
    assert (catch_up.action, catch_up.line_kind, catch_up.key) == (CREATE_CHARGE, CHARGE, "catch-up/2024-06-15/12>15")
    sign = -1 if charge.startswith("-") else 1
    assert (catch_up.after["quantity"], catch_up.after["unit_price"], catch_up.one_off) == (
        sign,
        charge.lstrip("-"),
        charge,
    )
    assert (quantity.action, quantity.after["quantity"], quantity.one_off) == (SET_QUANTITY, 15, "0.00")
    assert _whole_period(style, 12, 15) + Decimal(charge) == Decimal(june)


@pytest.mark.parametrize(("style", "charge"), [("advance", "-14.67"), ("arrears", "25.33")])
def test_tv2_two_fewer_seats_on_june_20_bill_225_33(style: str, charge: str) -> None:
    catch_up, _ = _plan(10, "2024-06-20", style=style).changes
    assert catch_up.one_off == charge
    assert _whole_period(style, 12, 10) + Decimal(charge) == Decimal("225.33")


@pytest.mark.parametrize(("style", "charge"), [("advance", "70.00"), ("arrears", "-30.00")])
def test_tv3_a_missing_line_is_created_with_its_catch_up(style: str, charge: str) -> None:
    catch_up, created = _plan(5, "2024-06-10", style=style, lines=()).changes
    assert (created.action, created.after["quantity"], created.one_off) == (CREATE_LINE, 5, "0.00")
    assert (catch_up.key, catch_up.one_off) == ("catch-up/2024-06-10/0>5", charge)
    assert _whole_period(style, 0, 5) + Decimal(charge) == Decimal("70.00")


@pytest.mark.parametrize("style", ["advance", "arrears"])
def test_tv4_two_changes_in_one_period_compose_to_267_33(style: str) -> None:
    first, _ = _plan(15, "2024-06-10", style=style).changes
    second, _ = _plan(13, "2024-06-20", style=style, lines=(line(1, 15),)).changes
    total = _whole_period(style, 12, 13) + Decimal(first.one_off) + Decimal(second.one_off)
    assert total == Decimal("267.33")


def test_a_catch_up_already_written_is_not_written_again() -> None:
    """The quantity write after it failed: the rerun writes the quantity only."""
    written = replace(line(2, 1, effective=None), kind=CHARGE, key="catch-up/2024-06-15/12>15")
    (quantity,) = _plan(15, "2024-06-15", style="advance", lines=(line(1, 12), written)).changes
    assert quantity.action == SET_QUANTITY


def test_a_change_on_an_arrears_period_first_day_needs_no_catch_up() -> None:
    (quantity,) = _plan(15, "2024-06-01", style="arrears").changes
    assert quantity.action == SET_QUANTITY


def test_without_proration_the_quantity_alone_is_written() -> None:
    (quantity,) = _plan(15, "2024-06-15", style="advance", prorate=False).changes
    assert quantity.action == SET_QUANTITY


def test_equal_counts_write_nothing_and_costs_are_not_compared() -> None:
    """The PSA's lines carry no cost (line_costs False): a 0.00 cost is no drift."""
    assert _plan(12, "2024-06-16", style="advance", lines=(replace(line(1, 12), unit_cost=Decimal("0")),)).changes == ()


def test_amount_follows_billing_md_3_1() -> None:
    assert amount("advance", [(1, 12), (15, 15)], Decimal("20.00"), JUNE) == Decimal("32.00")  # 16 days from 06-15
    assert amount("arrears", [(1, 12), (15, 15)], Decimal("20.00"), JUNE) == Decimal(
        "-28.00"
    )  # 112.00 + 160.00 - 300.00
    assert amount("advance", [(1, 12), (1, 10)], Decimal("20.00"), JUNE) == Decimal("-40.00")  # the whole period


def test_an_arrears_catch_up_makes_the_invoice_billing_md_s_day_weighted_lines() -> None:
    """12 -> 13 seats at 20.55 on 06-02: 3.1's June invoice is 12 x 20.55 x 1/30 + 13 x 20.55 x
    29/30 = 8.22 + 258.25 = 266.47 (each line rounded half-up). The PSA bills 13 x 20.55 =
    267.15, so the catch-up is -0.68; a credit rounded on its own (-0.685 -> -0.69) would
    bill 266.46."""
    credit = amount("arrears", [(1, 12), (2, 13)], Decimal("20.55"), JUNE)
    assert credit == Decimal("-0.68")
    assert 13 * Decimal("20.55") + credit == Decimal("266.47")


def test_arrears_catch_ups_of_one_period_add_up_to_its_runs_of_days() -> None:
    """12 seats, 13 from 06-02, 15 from 06-11, at 20.55: June's runs of days bill 12 x 20.55 x
    1/30 = 8.22, 13 x 20.55 x 9/30 = 80.145 -> 80.15 and 15 x 20.55 x 20/30 = 205.50, 293.87
    in all (billing.md 3.1, each line rounded half-up). The PSA bills 15 x 20.55 = 308.25."""
    p, cents = Decimal("20.55"), Decimal("0.01")

    def line(seats: int, days: int) -> Decimal:
        return (seats * p * days / 30).quantize(cents, rounding="ROUND_HALF_UP")

    first = amount("arrears", [(1, 12), (2, 13)], p, JUNE)
    second = amount("arrears", [(1, 12), (2, 13), (11, 15)], p, JUNE)
    assert 15 * p + first + second == line(12, 1) + line(13, 9) + line(15, 20) == Decimal("293.87")


def _charge(key: str, number: int) -> object:
    return replace(line(number, 1, effective=None), kind=CHARGE, key=key)


def test_counts_that_come_back_the_same_day_are_charged_again() -> None:
    """12 -> 15, back to 12, and 15 again on 06-15: the third change is new money, not the
    first one written again (billing.md 3.1 for each change: 3 x 20.00 x 16/30 = 32.00)."""
    day = (_charge("catch-up/2024-06-15/12>15", 2), _charge("catch-up/2024-06-15/15>12/2", 3))
    catch_up, quantity = _plan(15, "2024-06-15", style="advance", lines=(line(1, 12), *day)).changes
    assert (catch_up.key, catch_up.one_off, quantity.action) == ("catch-up/2024-06-15/12>15/3", "32.00", SET_QUANTITY)


def test_the_day_s_last_catch_up_whose_quantity_write_failed_is_not_written_again() -> None:
    """The third change's charge was written and its quantity write failed: the rerun writes
    the quantity only, even though the same counts had been settled earlier that day."""
    day = (
        _charge("catch-up/2024-06-15/12>15", 2),
        _charge("catch-up/2024-06-15/15>12/2", 3),
        _charge("catch-up/2024-06-15/12>15/3", 4),
    )
    (quantity,) = _plan(15, "2024-06-15", style="advance", lines=(line(1, 12), *day)).changes
    assert quantity.action == SET_QUANTITY


def test_catch_ups_of_another_day_do_not_number_this_one() -> None:
    earlier = (_charge("catch-up/2024-06-14/12>15", 2), _charge("catch-up/2024-06-14/15>12/2", 3))
    catch_up, _ = _plan(15, "2024-06-15", style="advance", lines=(line(1, 12), *earlier)).changes
    assert catch_up.key == "catch-up/2024-06-15/12>15"


@pytest.mark.parametrize("style", ["advance", "arrears"])
def test_a_rerun_on_a_later_night_does_not_charge_the_settled_days_again(style: str) -> None:
    """12 -> 15 seen on 06-15: the catch-up was written, the quantity write failed. The next
    night Dicker Data still says 15: only the quantity is written. June then bills 272.00
    (billing.md TV-1), where a second catch-up from 06-16 (3 x 20.00 x 15/30 = 30.00 more, or
    14.00 more credit) would bill 302.00 or 258.00."""
    written = _charge("catch-up/2024-06-15/12>15", 2)
    (quantity,) = _plan(15, "2024-06-16", style=style, lines=(line(1, 12), written)).changes
    assert (quantity.action, quantity.after["quantity"]) == (SET_QUANTITY, 15)


def test_a_later_change_after_a_failed_quantity_write_is_charged_from_the_settled_count() -> None:
    """Then Dicker Data says 16 on 06-16: one seat from 06-16 (1 x 20.00 x 15/30 = 10.00), not
    four."""
    written = _charge("catch-up/2024-06-15/12>15", 2)
    catch_up, quantity = _plan(16, "2024-06-16", style="advance", lines=(line(1, 12), written)).changes
    assert (catch_up.key, catch_up.one_off) == ("catch-up/2024-06-16/15>16", "10.00")
    assert (quantity.action, quantity.after["quantity"]) == (SET_QUANTITY, 16)


def test_a_catch_up_of_the_period_before_settles_nothing_of_this_one() -> None:
    """Charged on 05-31 for May's last day, the quantity write failed: June was invoiced on
    06-01 at 12, so June needs its own catch-up: 3 x 20.00 x 30/30 = 60.00."""
    written = _charge("catch-up/2024-05-31/12>15", 2)
    catch_up, quantity = _plan(15, "2024-06-01", style="advance", lines=(line(1, 12), written)).changes
    assert (catch_up.key, catch_up.one_off, quantity.action) == ("catch-up/2024-06-01/12>15", "60.00", SET_QUANTITY)


def test_an_arrears_change_undone_the_same_day_leaves_the_whole_period_at_its_count() -> None:
    """13 -> 14 and back to 13 on 06-04, at 20.55: June bills 13 x 20.55 = 267.15, as if
    nothing had changed. Two runs of 13 seats rounded apart would bill 26.715 -> 26.72 plus
    240.435 -> 240.44 = 267.16, which is not 3.1's invoice of one run."""
    p = Decimal("20.55")
    first = amount("arrears", [(1, 13), (4, 14)], p, JUNE)
    back = amount("arrears", [(1, 13), (4, 14), (4, 13)], p, JUNE)
    assert 13 * p + first + back == Decimal("267.15")


def test_arrears_catch_ups_are_planned_from_the_period_s_keys() -> None:
    """At 10.00: 12 -> 13 on 06-02 (its catch-up of -0.33 written, the line at 13), then 15 on
    06-03. June's runs bill 12 x 10.00 x 1/30 = 4.00, 13 x 10.00 x 1/30 = 4.33 and 15 x 10.00
    x 28/30 = 140.00, 148.33 in all; the PSA bills 150.00 - 0.33, so this catch-up is -1.34.
    Planned from the line's 13 alone (as if June had started at 13) it would be -1.33."""
    written = replace(_charge("catch-up/2024-06-02/12>13", 2), unit_price=Decimal("0.33"))
    lines = (line(1, 13, price=Decimal("10.00")), written)
    plan = plan_licence(
        licence(
            style="arrears",
            prorate=True,
            subs=(sub(15),),
            lines=lines,
            sync_date=D("2024-06-03"),
            capabilities=CATCH_UP,
            profile_price=Decimal("10.00"),
        )
    )
    catch_up, quantity = plan.changes
    assert (catch_up.key, catch_up.one_off, quantity.after["quantity"]) == ("catch-up/2024-06-03/13>15", "-1.34", 15)
    assert Decimal("150.00") - Decimal("0.33") + Decimal(catch_up.one_off) == Decimal("148.33")


@pytest.mark.parametrize(("style", "back"), [("advance", "-40.00"), ("arrears", "20.00")])
def test_a_count_back_to_the_line_s_after_a_failed_quantity_write_is_settled_by_a_catch_up(
    style: str, back: str
) -> None:
    """12 -> 15 on 06-10 (its catch-up written, the quantity write failed), back to 12 on
    06-11: June bills 12 seats but 15 on 06-10, 12 x 20.00 + 3 x 20.00 x 1/30 = 242.00.
    In advance June was invoiced 240.00 on 06-01 and 06-10's catch-up charged 3 x 20.00 x
    21/30 = 42.00, so -40.00 comes back; in arrears June is invoiced at 12 (240.00), 06-10's
    catch-up made it 282.00 - 300.00 = -18.00, and 20.00 brings it to 242.00. The line is
    left at 12: no quantity write."""
    first = "42.00" if style == "advance" else "-18.00"
    written = replace(_charge("catch-up/2024-06-10/12>15", 2), unit_price=abs(Decimal(first)))
    changes = _plan(12, "2024-06-11", style=style, lines=(line(1, 12), written)).changes
    assert [(c.action, c.key, c.one_off) for c in changes] == [(CREATE_CHARGE, "catch-up/2024-06-11/15>12", back)]
    assert Decimal("240.00") + Decimal(first) + Decimal(back) == Decimal("242.00")


def test_two_failed_quantity_writes_in_a_row_do_not_charge_the_days_again() -> None:
    """12 -> 15 on 06-10 (42.00) and 15 -> 16 on 06-11 (1 x 20.00 x 20/30 = 13.33), both
    quantity writes failed; on 06-12 Dicker Data still says 16: the quantity alone. June:
    240.00 + 42.00 + 13.33 = 295.33, billing.md's 12 for 9 days, 15 for 1 and 16 for 20."""
    written = (_charge("catch-up/2024-06-10/12>15", 2), _charge("catch-up/2024-06-11/15>16", 3))
    (quantity,) = _plan(16, "2024-06-12", style="advance", lines=(line(1, 12), *written)).changes
    assert (quantity.action, quantity.after["quantity"]) == (SET_QUANTITY, 16)


def test_a_new_line_whose_create_failed_and_whose_count_went_to_zero_is_credited_back() -> None:
    """0 -> 5 on 06-10 (catch-up 5 x 20.00 x 21/30 = 70.00 written, the line not created),
    then 0 on 06-11: 5 x 20.00 x 20/30 = 66.67 comes back, June bills 5 seats for 1 day
    (3.33)."""
    written = _charge("catch-up/2024-06-10/0>5", 2)
    changes = _plan(0, "2024-06-11", style="advance", lines=(written,)).changes
    assert [(c.action, c.key, c.one_off) for c in changes] == [(CREATE_CHARGE, "catch-up/2024-06-11/5>0", "-66.67")]


@pytest.mark.parametrize("style", ["advance", "arrears"])
def test_a_period_whose_catch_ups_and_quantity_writes_all_landed_writes_nothing_more(style: str) -> None:
    """12 -> 15 on 06-10 and back to 12 on 06-12, each catch-up and quantity write made: the
    line holds 12, Dicker Data says 12 on 06-13, and nothing is written (a catch-up-only
    night is for a quantity write that did not follow)."""
    written = (_charge("catch-up/2024-06-10/12>15", 2), _charge("catch-up/2024-06-12/15>12", 3))
    assert _plan(12, "2024-06-13", style=style, lines=(line(1, 12), *written)).changes == ()
    up = (_charge("catch-up/2024-06-10/12>15", 2),)
    assert _plan(15, "2024-06-11", style=style, lines=(line(1, 15), *up)).changes == ()
