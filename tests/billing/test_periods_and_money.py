"""Billing periods, the comparison date t*, and cent rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.billing.periods import comparison_date, next_period_start, period_containing
from reconciler.money import money, money_text, prorated_amount, round_cents, runrate_change, signed_money
from tests.kit.capabilities import capabilities

from .conftest import JUNE, D, agreement


def test_default_period_is_the_calendar_month():
    assert period_containing(None, D("2024-06-15")) == JUNE
    assert period_containing(agreement(), D("2024-06-30")) == JUNE
    assert next_period_start(agreement(), D("2024-06-15")) == D("2024-07-01")


def test_period_anchored_on_the_billing_day():
    a = agreement(billing_day=15)
    assert period_containing(a, D("2024-06-14")) == (D("2024-05-15"), D("2024-06-14"))
    assert period_containing(a, D("2024-06-15")) == (D("2024-06-15"), D("2024-07-14"))


def test_billing_day_31_is_clamped_in_short_months():
    a = agreement(billing_day=31)
    assert period_containing(a, D("2024-02-29")) == (D("2024-02-29"), D("2024-03-30"))
    assert period_containing(a, D("2024-04-15")) == (D("2024-03-31"), D("2024-04-29"))
    assert period_containing(a, D("2023-02-28")) == (D("2023-02-28"), D("2023-03-30"))


def test_quarterly_periods_step_from_the_agreement_start_month():
    a = agreement(start_date=D("2024-02-01"), period_months=3)
    assert period_containing(a, D("2024-06-15")) == (D("2024-05-01"), D("2024-07-31"))
    assert period_containing(a, D("2024-01-10")) == (D("2023-11-01"), D("2024-01-31"))
    assert next_period_start(a, D("2024-06-15")) == D("2024-08-01")


def test_quarters_follow_the_billing_cycle_start_not_the_agreement_start():
    """ConnectWise: an agreement from 15 January billed from 1 February (billStartDate) bills
    quarters February to April, May to July: the +3 seats of 15 July at 20.00 cost 3 x 20.00
    x 17/92 = 11.09 for the rest of that quarter, not 17 of 92 days of July to September."""
    a = agreement(start_date=D("2024-01-15"), cycle_start=D("2024-02-01"), period_months=3)
    quarter = period_containing(a, D("2024-07-15"))
    assert quarter == (D("2024-05-01"), D("2024-07-31"))
    assert prorated_amount(3, Decimal("20.00"), D("2024-07-15"), quarter) == Decimal("11.09")  # 11.087 by hand


def test_yearly_period_across_the_year_end():
    a = agreement(start_date=D("2023-10-01"), period_months=12)
    assert period_containing(a, D("2024-06-15")) == (D("2023-10-01"), D("2024-09-30"))


@pytest.mark.parametrize(
    "psa,style,prorate,posted,expected",
    [
        ("connectwise", "advance", False, None, "2024-06-15"),
        ("connectwise", "arrears", True, None, "2024-06-15"),
        ("autotask", "advance", True, None, "2024-06-15"),
        ("autotask", "arrears", True, "2024-06-30", "2024-06-15"),
        ("autotask", "advance", False, None, "2024-07-01"),
        ("autotask", "arrears", False, None, "2024-06-01"),
        ("autotask", "arrears", False, "2024-05-31", "2024-06-01"),
        ("autotask", "arrears", False, "2024-06-30", "2024-07-01"),
    ],
)
def test_comparison_date(psa, style, prorate, posted, expected):
    a = agreement(posted_through=D(posted) if posted else None)
    t = comparison_date(
        a, seat_model=capabilities(psa).seat_model_for(prorate), style=style, prorate=prorate, sync_date=D("2024-06-15")
    )
    assert t == D(expected)


def test_rounding_is_half_up_to_cents():
    assert round_cents(Decimal("0.125")) == Decimal("0.13")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("-14.665")) == Decimal("-14.67")
    assert money_text(Decimal("32")) == "32.00"


def test_prorated_amounts_of_the_vectors():
    assert prorated_amount(3, Decimal("20.00"), D("2024-06-15"), JUNE) == Decimal("32.00")
    assert prorated_amount(-2, Decimal("20.00"), D("2024-06-20"), JUNE) == Decimal("-14.67")
    assert prorated_amount(3, Decimal("20.00"), D("2024-06-10"), JUNE) == Decimal("42.00")
    assert runrate_change(-2, Decimal("20.00")) == Decimal("-40.00")


def test_prorated_amount_refuses_a_day_outside_the_period():
    with pytest.raises(ValueError, match="outside period"):
        prorated_amount(1, Decimal("20.00"), D("2024-07-01"), JUNE)


def test_an_absurd_amount_is_rounded_not_an_error() -> None:
    """A quantity of 10^30 typed into the PSA: the plan shows the amount (and reviews it)
    instead of failing with an internal error (quantize refused more than 28 digits)."""
    huge = Decimal("1e30") * Decimal("20.555")
    assert money_text(huge) == "20555000000000000000000000000000.00"
    assert signed_money(-huge) == "-$20,555,000,000,000,000,000,000,000,000,000.00"
    assert money(huge).startswith("$20,555,000,000")
