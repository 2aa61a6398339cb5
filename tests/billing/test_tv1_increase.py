"""TV-1: +3 seats (12 -> 15) seen by the run of 2024-06-15, every row of billing.md 3.3.

Each row: the exact write, the June and July invoices once the write is applied, and the
06-16 rerun (DD still 15) writing nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.billing.daily import plan_licence
from reconciler.plan.change import CREATE_ADJUSTMENT, CREATE_DELTA, SET_QUANTITY

from .conftest import (
    AGREEMENT_ID,
    CATALOG_ID,
    JULY,
    JUNE,
    PRODUCT_ID,
    TENANT,
    Book,
    D,
    licence,
    sub,
)

DD_15 = (sub(15),)

ROWS = [
    # id, psa, style, prorate, action, after (subset), effective, one_off, june, july
    ("cw-advance-noprorate", "connectwise", "advance", False, SET_QUANTITY,
     {"quantity": 15}, "2024-06-15", "0.00", "240.00", "300.00"),
    ("cw-advance-prorate", "connectwise", "advance", True, CREATE_DELTA,
     {"quantity": 3}, "2024-06-15", "32.00", "240.00", "332.00"),
    ("cw-arrears-noprorate", "connectwise", "arrears", False, SET_QUANTITY,
     {"quantity": 15}, "2024-06-15", "0.00", "300.00", "300.00"),
    ("cw-arrears-prorate", "connectwise", "arrears", True, CREATE_DELTA,
     {"quantity": 3}, "2024-06-15", "32.00", "272.00", "300.00"),
    ("at-prorate", "autotask", "advance", True, CREATE_ADJUSTMENT,
     {"quantity": 3}, "2024-06-15", "32.00", "272.00", "300.00"),
    ("at-advance-noprorate", "autotask", "advance", False, CREATE_ADJUSTMENT,
     {"quantity": 3}, "2024-07-01", "0.00", "240.00", "300.00"),
]  # fmt: skip


def _plan(book: Book, psa: str, style: str, prorate: bool, day: str):
    item = licence(psa, style=style, prorate=prorate, subs=DD_15, lines=book.read(D(day)), sync_date=D(day))
    return plan_licence(item)


@pytest.mark.parametrize(
    "psa,style,prorate,action,after,effective,one_off,june,july",
    [r[1:] for r in ROWS],
    ids=[r[0] for r in ROWS],
)
def test_tv1_write_invoices_and_rerun(psa, style, prorate, action, after, effective, one_off, june, july):
    book = Book.with_main(psa)
    outcome = _plan(book, psa, style, prorate, "2024-06-15")

    assert outcome.errors == ()
    assert (outcome.desired, outcome.current) == (15, 12)
    (change,) = outcome.changes
    assert change.action == action
    assert {k: change.after[k] for k in after} == after
    assert change.effective_date == effective
    assert change.runrate_change == "60.00"
    assert change.one_off == one_off
    assert (change.client_id, change.client_name) == (TENANT, "Acme Ltd")
    assert (change.agreement_id, change.product_id, change.product_key) == (
        AGREEMENT_ID,
        PRODUCT_ID,
        "m365-bp",
    )

    book.apply(change, D("2024-06-15"))
    assert book.invoice(JUNE, style=style, prorate=prorate) == Decimal(june)
    assert book.invoice(JULY, style=style, prorate=prorate) == Decimal(july)

    rerun = _plan(book, psa, style, prorate, "2024-06-16")
    assert rerun.changes == () and rerun.errors == ()
    assert rerun.current == 15


def test_tv1_cw_noprorate_patches_the_main_line():
    lines = Book.with_main().read(D("2024-06-15"))
    (change,) = plan_licence(licence(subs=DD_15, lines=lines)).changes
    assert change.line_id == 1
    assert change.line_kind == "main"
    assert change.before == {"quantity": 12}
    assert change.after == {"quantity": 15}
    assert change.reason == (
        "Dicker Data has 15 active seats, ConnectWise bills 12 from 2024-06-15; "
        "agreement does not prorate: main line 12 -> 15"
    )


def test_tv1_cw_prorate_delta_line_carries_price_cost_and_catalog_item():
    lines = Book.with_main().read(D("2024-06-15"))
    (change,) = plan_licence(licence(prorate=True, subs=DD_15, lines=lines)).changes
    assert change.line_kind == "delta"
    assert change.line_id is None
    assert change.after == {
        "quantity": 3,
        "unit_price": "20.00",
        "unit_cost": "15.00",
        "effective_date": "2024-06-15",
        "catalog_id": CATALOG_ID,
        "units_in_force": 15,
    }
    assert change.before == {"units_in_force": 12}
    assert change.reason == (
        "Dicker Data has 15 active seats, ConnectWise bills 12 from 2024-06-15; "
        "prorating agreement: delta +3 from 2024-06-15"
    )


def test_tv1_at_adjustment_names_contract_and_service():
    lines = Book.with_main("autotask").read(D("2024-06-15"))
    (change,) = plan_licence(licence("autotask", subs=DD_15, lines=lines)).changes
    assert change.line_id == 500
    assert (change.after["catalog_id"], change.agreement_id) == (CATALOG_ID, AGREEMENT_ID)
    assert change.after["unit_price"] == "20.00"
    assert change.after["unit_cost"] == "15.00"
    assert "effective from the next period: adjustment +3 from 2024-07-01" in change.reason
