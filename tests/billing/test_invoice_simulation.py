"""The invoice simulation on hand-made line histories (billing.md 3.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from providers.sandbox.invoicing import (
    LineVersion,
    invoice_for_period,
    known_on,
    versions_from_history,
)

from .conftest import JULY, JUNE, D, agreement

P = Decimal("20.00")


def _main_12_then_15():
    """June invoiced on 06-01 with 12; the main line changed to 15 on 06-15."""
    return versions_from_history(
        1,
        [(D("2024-06-15"), 15), (D("2024-05-01"), 12)],
        unit_price=P,
        effective=D("2024-05-01"),
        cancelled=None,
    )


def test_versions_from_history_are_in_recorded_order():
    versions = _main_12_then_15()
    assert [(v.recorded_on, v.quantity) for v in versions] == [
        (D("2024-05-01"), 12),
        (D("2024-06-15"), 15),
    ]
    assert [v.quantity for v in known_on(versions, D("2024-06-14"))] == [12]
    assert [v.quantity for v in known_on(versions, D("2024-06-15"))] == [15]
    assert known_on(versions, D("2024-04-30")) == ()


@pytest.mark.parametrize(
    "style,june,july",
    [("advance", "240.00", "300.00"), ("arrears", "300.00", "300.00")],
)
def test_no_prorate_uses_the_count_known_at_the_invoice(style, june, july):
    versions = _main_12_then_15()
    assert invoice_for_period(versions, style=style, prorate=False, period=JUNE) == Decimal(june)
    assert invoice_for_period(versions, style=style, prorate=False, period=JULY) == Decimal(july)


def test_advance_prorate_credit_lands_on_the_next_invoice():
    versions = (
        LineVersion(1, 12, P, D("2024-05-01"), None, D("2024-04-30")),
        LineVersion(2, -2, P, D("2024-06-20"), None, D("2024-06-20")),
    )
    kw = {"style": "advance", "prorate": True}
    assert invoice_for_period(versions, period=JUNE, **kw) == Decimal("240.00")
    assert invoice_for_period(versions, period=JULY, **kw) == Decimal("185.33")  # 200 - 14.67


def test_line_cancelled_mid_period_is_billed_to_its_cancelled_date():
    versions = (LineVersion(1, 3, P, D("2024-06-10"), D("2024-06-19"), D("2024-06-10")),)
    # 3 x 20 x 10/30
    got = invoice_for_period(versions, style="arrears", prorate=True, period=JUNE)
    assert got == Decimal("20.00")


def test_rounding_is_per_line():
    versions = (
        LineVersion(1, 1, P, D("2024-06-20"), None, D("2024-06-20")),
        LineVersion(2, 1, P, D("2024-06-20"), None, D("2024-06-20")),
    )
    # each line 20 x 11/30 = 7.333.. -> 7.33, so 14.66 rather than 14.67
    got = invoice_for_period(versions, style="arrears", prorate=True, period=JUNE)
    assert got == Decimal("14.66")


def test_catch_up_uses_the_agreements_previous_period():
    a = agreement(billing_day=15)
    versions = (
        LineVersion(1, 12, P, D("2024-05-01"), None, D("2024-04-30")),
        LineVersion(2, 3, P, D("2024-06-01"), None, D("2024-06-01")),
    )
    period = (D("2024-06-15"), D("2024-07-14"))
    # previous period 05-15..06-14 (31 days): 3 x 20 x 14/31 = 27.10 catch-up
    got = invoice_for_period(versions, style="advance", prorate=True, period=period, agreement=a)
    assert got == Decimal("300.00") + Decimal("27.10")


def test_autotask_prorate_bills_the_change_in_the_period_it_lands_in():
    versions = (
        LineVersion(1, 12, P, D("2024-05-01"), None, D("2024-04-30")),
        LineVersion(2, 3, P, D("2024-06-15"), None, D("2024-06-15")),
    )
    kw = {"style": "advance", "prorate": True, "psa_kind": "autotask"}
    assert invoice_for_period(versions, period=JUNE, **kw) == Decimal("272.00")
    assert invoice_for_period(versions, period=JULY, **kw) == Decimal("300.00")


def test_a_change_seen_on_a_periods_first_day_is_invoiced_from_the_next_period():
    """Invoicing day (billing.md 3.2): the advance invoice of July is made on 07-01 before
    that night's sync, so 12 -> 15 written by the run of 07-01 bills from August."""
    versions = (
        LineVersion(1, 12, P, D("2024-05-01"), None, D("2024-04-30")),
        LineVersion(1, 15, P, D("2024-05-01"), None, D("2024-07-01")),
    )
    august = (D("2024-08-01"), D("2024-08-31"))
    assert invoice_for_period(versions, style="advance", prorate=False, period=JULY) == Decimal("240.00")
    assert invoice_for_period(versions, style="advance", prorate=False, period=august) == Decimal("300.00")
    # in arrears July is invoiced after its last day's sync: the new count
    assert invoice_for_period(versions, style="arrears", prorate=False, period=JULY) == Decimal("300.00")
