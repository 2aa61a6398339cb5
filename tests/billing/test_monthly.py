"""Monthly sync (billing.md section 4): price formula, cross-check, key, and the invoice plan.

TV-M1..TV-M6 are the monthly test vectors; the planner scenarios run on in-memory inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.billing.monthly import (
    billable_amount,
    day_share,
    line_key,
    share_mismatch,
    unit_sell_price,
)
from reconciler.model import (
    Agreement,
    CatalogItem,
    ClientMapping,
    Deployment,
    Inventory,
    Invoice,
    InvoiceLine,
    ProductMapping,
    ProviderConfig,
    PsaLine,
    PsaState,
    Settings,
    UnitSpan,
)
from reconciler.model.psa import CHARGE
from reconciler.plan.change import CREATE_CHARGE, UPDATE_LINE
from reconciler.plan.invoice_planner import InvoicePlanRequest, build_invoice_plan
from reconciler.plan.plan import Plan
from reconciler.specs.schema import validator
from tests.kit.capabilities import capabilities

D = date.fromisoformat
TENANT = "T-100"
STRANGER = "T-999"
CODE = "P1M:CFQ7TTC0LH04:0001"
ANNUAL_CODE = "P1Y:CFQ7TTC0LH0R:0001:Y:"
UNMAPPED_CODE = "P1Y:CFQ7TTC0LHRW:0001:1:"


def line(
    qty: int = 2,
    *,
    unit: str = "32.30",
    cycle: str = "32.30",
    number: str = "INV100",
    day: str = "2024-03-01",
    sub: str = "sub-1",
    code: str = CODE,
    usage: tuple[str, str] | None = ("2024-01-19", "2024-02-18"),
    term: tuple[str, str] | None = ("2024-01-19", "2024-02-18"),
    tenant: str = TENANT,
) -> InvoiceLine:
    return InvoiceLine(
        invoice_number=number,
        invoice_date=D(day),
        tenant_id=tenant,
        subscription_id=sub,
        stock_code=code,
        description="MS NCE M365 BUSINESS STANDARD",
        quantity=qty,
        unit_price=Decimal(unit),
        cycle_unit_price=Decimal(cycle),
        line_amount=Decimal(unit) * qty,
        usage_start=D(usage[0]) if usage else None,
        usage_end=D(usage[1]) if usage else None,
        term_start=D(term[0]) if term else None,
        term_end=D(term[1]) if term else None,
    )


# -- price formula and cross-check --------------------------------------------------------


def test_tv_m1_full_cycle_line_is_billed_at_the_profile_price():
    price = unit_sell_price(Decimal("122.34"), Decimal("122.34"), Decimal("145.20"))
    assert price == Decimal("145.20")
    assert billable_amount(price, 1) == Decimal("145.20")


def test_tv_m2_unit_price_is_rounded_to_cents_before_the_quantity():
    price = unit_sell_price(Decimal("100.39"), Decimal("152.67"), Decimal("181.20"))
    assert price == Decimal("119.15")
    assert billable_amount(price, 18) == Decimal("2144.70")  # 2144.71 when rounded after


def test_tv_m3_full_monthly_cycle_has_share_one_and_no_flag():
    full = line(1)
    assert day_share(full) == 1
    assert share_mismatch(full) is None


def test_tv_m4_partial_line_share_is_days_used_over_the_cycle_ending_on_usage_end():
    partial = line(2, unit="18.75", cycle="32.30", usage=("2024-02-01", "2024-02-18"))
    assert day_share(partial) == Decimal(18) / Decimal(31)
    assert share_mismatch(partial) is None  # 18.75/32.30 = 58.05 % against 58.06 %
    price = unit_sell_price(Decimal("18") / Decimal("31"), Decimal("1"), Decimal("40.00"))
    assert price == Decimal("23.23")
    assert billable_amount(price, 2) == Decimal("46.46")


def test_tv_m5_refund_line_is_a_negative_prorated_amount():
    refund = line(-1, unit="9.38", cycle="32.30", usage=("2024-02-10", "2024-02-18"))
    assert day_share(refund) == Decimal(9) / Decimal(31)
    price = unit_sell_price(Decimal(9) / Decimal(31), Decimal(1), Decimal("40.00"))
    assert price == Decimal("11.61")
    assert billable_amount(price, -1) == Decimal("-11.61")


def test_annual_billing_takes_the_whole_term_as_the_cycle():
    upfront = line(
        1,
        unit="100.00",
        cycle="149.39",
        code=ANNUAL_CODE,
        usage=("2024-05-01", "2024-12-31"),
        term=("2024-01-01", "2024-12-31"),
    )
    assert day_share(upfront) == Decimal(245) / Decimal(366)
    assert share_mismatch(upfront) is None


def test_a_share_more_than_one_point_off_is_flagged_with_both_figures():
    wrong = line(1, unit="16.15", cycle="32.30", usage=("2024-02-01", "2024-02-18"))  # 50 % vs 58.06 %
    message = share_mismatch(wrong)
    assert message is not None and "58.06 %" in message and "50.00 %" in message


def test_lines_without_dates_are_not_cross_checked():
    assert day_share(line(1, usage=None)) is None
    assert share_mismatch(line(1, unit="10.00", usage=None)) is None


def test_a_cycle_price_of_zero_cannot_be_priced():
    with pytest.raises(ValueError, match="cycle unit price is 0"):
        unit_sell_price(Decimal("1"), Decimal("0"), Decimal("10"))


# -- the key ----------------------------------------------------------------------------------


def test_key_is_short_deterministic_and_names_invoice_code_usage_and_sign():
    key = line_key(line(2))
    assert key == line_key(line(2))
    assert key.startswith("INV100/P1M:CFQ7TTC0LH04:0001/20240119-20240218/+/")
    assert len(key) <= 80 and "]" not in key and " " not in key


def test_key_differs_by_subscription_sign_usage_and_occurrence():
    base = line_key(line(2))
    assert line_key(line(2, sub="sub-2")) != base
    assert line_key(line(-2)) != base
    assert line_key(line(2, usage=("2024-02-01", "2024-02-18"))) != base
    assert line_key(line(2), occurrence=2) == base + "/2"
    assert line_key(line(5)) == base  # the quantity is a value of the line, not its identity


# -- the invoice plan ----------------------------------------------------------------------


def deployment(psa: str = "connectwise") -> Deployment:
    settings = Settings(
        sync_type="monthly",
        timezone="Pacific/Auckland",
        psa=ProviderConfig(psa, "sandbox"),
        source=ProviderConfig("dickerdata", "sandbox"),
    )
    products = {
        "bs": ProductMapping(
            key="bs",
            name="Business Standard",
            stock_codes=("P1M:CFQ7TTC0LH04:0001",),
            psa_product="BS",
            price=Decimal("40.00"),
        ),
        "e3": ProductMapping(key="e3", name="Office 365 E3", stock_codes=("P1Y:CFQ7TTC0LH0R:0001",), psa_product="E3"),
    }
    client = ClientMapping(
        file="clients/acme.yaml", name="Acme Ltd", dd_customer_id=TENANT, psa_company_id=10, agreement_id=300
    )
    return Deployment(root=Path("."), settings=settings, products=products, clients=(client,))


def psa(*lines: PsaLine, prorate: bool = False, kind: str = "connectwise") -> PsaState:
    agreement = Agreement(
        id=300, company_id=10, name="Acme M365", status="Active", prorate=prorate if kind == "connectwise" else None
    )
    catalog = {
        "BS": CatalogItem("BS", 11, "Business Standard", Decimal("39.00")),
        "E3": CatalogItem("E3", 12, "Office 365 E3", Decimal("37.60")),
    }
    return PsaState(companies={10: "Acme"}, agreements={300: agreement}, lines=lines, catalog=catalog)


def copied(change, line_id: int, *, billed: bool = False, price: str | None = None) -> PsaLine:
    day = D(change.effective_date)
    return PsaLine(
        id=line_id,
        agreement_id=change.agreement_id,
        product_id=change.product_id,
        kind=CHARGE,
        spans=(UnitSpan(day, day, change.after["quantity"]),),
        unit_price=Decimal(price or change.after["unit_price"]),
        unit_cost=Decimal(change.after["unit_cost"]),
        key=change.key,
        billed=billed,
    )


JUNE = Invoice(
    "INV100",
    D("2024-06-01"),
    (
        line(
            10, number="INV100", day="2024-06-01", usage=("2024-05-19", "2024-06-18"), term=("2024-05-19", "2024-06-18")
        ),
        line(
            -1,
            unit="10.42",
            number="INV100",
            day="2024-06-01",
            usage=("2024-05-29", "2024-06-07"),
            term=("2024-05-19", "2024-06-18"),
        ),
        line(
            3, unit="31.32", cycle="31.32", number="INV100", day="2024-06-01", code=UNMAPPED_CODE, usage=None, term=None
        ),
        line(4, number="INV100", day="2024-06-01", tenant=STRANGER, sub="sub-9"),
    ),
)
JULY = Invoice(
    "INV200",
    D("2024-07-01"),
    (
        line(
            10, number="INV200", day="2024-07-01", usage=("2024-06-19", "2024-07-18"), term=("2024-06-19", "2024-07-18")
        ),
    ),
)


def plan_for(
    *invoices: Invoice,
    state: PsaState | None = None,
    psa_kind: str = "connectwise",
    numbers: tuple[str, ...] = (),
    lookback: int | None = None,
    day: str = "2024-07-10",
) -> Plan:
    dep = deployment(psa_kind)
    return build_invoice_plan(
        InvoicePlanRequest(
            deployment=dep,
            inventory=Inventory(invoices=invoices),
            psa=state or psa(kind=psa_kind),
            capabilities=capabilities(psa_kind),
            sync_date=D(day),
            clients=dep.clients,
            invoice_numbers=numbers,
            charge_lookback_days=lookback,
        )
    )


def test_each_mapped_line_becomes_one_connectwise_one_off_charge():
    plan = plan_for(JUNE)
    assert [c.action for c in plan.changes] == [CREATE_CHARGE, CREATE_CHARGE]
    charge, refund = sorted(plan.changes, key=lambda c: c.after["quantity"], reverse=True)
    assert charge.line_kind == CHARGE and charge.effective_date == "2024-06-01"
    assert charge.after["effective_date"] == "2024-06-01"  # the provider makes it a one-day line
    assert charge.after["quantity"] == 10 and charge.after["unit_price"] == "40.00"
    assert charge.after["unit_cost"] == "32.30" and charge.after["catalog_id"] == 11
    assert charge.one_off == "400.00" and charge.runrate_change == "0.00"
    assert charge.after["description"] == f"[ncesync:charge {charge.key}]"
    # the refund is its own line, never netted: 10.42/32.30 x 40.00 = 12.90
    assert refund.after["quantity"] == -1 and refund.after["unit_price"] == "12.90" and refund.one_off == "-12.90"
    assert refund.key != charge.key and refund.key.split("/")[3] == "-"


def test_a_copy_names_its_product_and_agreement_in_the_same_fields_on_every_psa():
    """No PSA-specific fields: each provider writes the copy its own way from these."""
    for kind in ("connectwise", "autotask"):
        charge = plan_for(JUNE, psa_kind=kind, state=psa(kind=kind)).changes[0]
        assert (charge.after["catalog_id"], charge.agreement_id) == (11, 300)
        assert not {"service_id", "contract_id", "cancelled_date"} & set(charge.after)


def test_rerun_of_a_copied_invoice_writes_nothing():
    first = plan_for(JUNE)
    again = plan_for(JUNE, state=psa(*(copied(c, 900 + i) for i, c in enumerate(first.changes))))
    assert again.changes == () and again.errors == ()
    assert again.invoices[0]["copied"] == 2 and again.invoices[0]["to_copy"] == 0


def test_a_new_invoice_writes_only_its_own_lines():
    first = plan_for(JUNE)
    both = plan_for(JUNE, JULY, state=psa(*(copied(c, 900 + i) for i, c in enumerate(first.changes))))
    assert [c.after["invoice_number"] for c in both.changes] == ["INV200"]


def test_invoice_option_restricts_the_plan_and_names_unknown_numbers():
    plan = plan_for(JUNE, JULY, numbers=("INV200",))
    assert {c.after["invoice_number"] for c in plan.changes} == {"INV200"}
    assert [i["number"] for i in plan.invoices] == ["INV200"]
    missing = plan_for(JUNE, numbers=("INV404",))
    assert missing.changes == () and "INV404 was not found" in missing.errors[0].message


def test_prorating_connectwise_agreement_is_refused_for_the_client():
    plan = plan_for(JUNE, state=psa(prorate=True))
    assert plan.changes == ()
    assert len(plan.errors) == 1 and "Prorate on" in plan.errors[0].message
    assert plan.errors[0].client_id == TENANT
    assert (plan.invoices[0]["lines"], plan.invoices[0]["to_copy"]) == (2, 0)  # held, not "to copy"


def test_inactive_agreement_gets_no_copies():
    state = psa()
    state = replace(state, agreements={300: replace(state.agreements[300], status="Cancelled")})
    plan = plan_for(JUNE, state=state)
    assert plan.changes == () and "is Cancelled" in plan.errors[0].message


def test_billed_autotask_charge_that_differs_is_reported_not_corrected():
    first = plan_for(JUNE, psa_kind="autotask", state=psa(kind="autotask"))
    stale = [copied(c, 900 + i, billed=True, price="35.00") for i, c in enumerate(first.changes)]
    plan = plan_for(JUNE, psa_kind="autotask", state=psa(*stale, kind="autotask"))
    assert plan.changes == ()
    assert any("already billed" in w.message and "unit_price 35.00 -> 40.00" in w.message for w in plan.warnings)


def test_unbilled_autotask_charge_that_differs_is_corrected_while_unbilled():
    first = plan_for(JUNE, psa_kind="autotask", state=psa(kind="autotask"))
    stale = [copied(c, 900 + i, price="35.00") for i, c in enumerate(first.changes)]
    plan = plan_for(JUNE, psa_kind="autotask", state=psa(*stale, kind="autotask"))
    assert [(c.action, c.line_kind, c.line_id) for c in plan.changes] == [
        ("update_line", "charge", 900 + i) for i in range(len(first.changes))
    ]
    assert all(c.before["unit_price"] == "35.00" and c.after["unit_price"] != "35.00" for c in plan.changes)


def test_connectwise_copy_that_differs_is_corrected_in_place():
    first = plan_for(JUNE)
    charge = next(c for c in first.changes if c.after["quantity"] == 10)
    others = [copied(c, 950) for c in first.changes if c is not charge]
    plan = plan_for(JUNE, state=psa(copied(charge, 901, price="35.00"), *others))
    assert [(c.action, c.line_id, c.before, c.after) for c in plan.changes] == [
        (UPDATE_LINE, 901, {"unit_price": "35.00"}, {"unit_price": "40.00"})
    ]
    assert plan.changes[0].one_off == "50.00"


def test_disagreeing_day_share_is_flagged_but_copied_at_dicker_datas_ratio():
    odd = Invoice(
        "INV300",
        D("2024-07-01"),
        (line(1, unit="16.15", number="INV300", day="2024-07-01", usage=("2024-06-01", "2024-06-18")),),
    )
    plan = plan_for(odd)
    assert plan.changes[0].after["unit_price"] == "20.00"
    assert len(plan.warnings) == 1 and "review the price" in plan.warnings[0].message


def test_unmapped_customers_and_stock_codes_are_reported():
    plan = plan_for(JUNE)
    kinds = {(u.kind, u.tenant_id, u.stock_code, u.seats) for u in plan.unmapped}
    assert kinds == {("customer", STRANGER, None, 4), ("stock_code", TENANT, UNMAPPED_CODE, 3)}


def test_invoice_older_than_the_psa_look_back_is_not_planned():
    plan = plan_for(JUNE, lookback=30)
    assert plan.changes == () and "more than 30 days before" in plan.errors[0].message


def test_totals_per_invoice_and_client_and_the_plan_json_matches_its_schema():
    plan = plan_for(JUNE, JULY)
    june = plan.invoices[0]
    assert (june["number"], june["lines"], june["to_copy"], june["billable"]) == ("INV100", 2, 2, "387.10")
    assert june["clients"] == [
        {
            "client_id": TENANT,
            "name": "Acme Ltd",
            "lines": 2,
            "to_copy": 2,
            "copied": 0,
            "billable": "387.10",
            "billable_to_copy": "387.10",
            "cost": "312.58",
        }
    ]
    data = plan.to_json()
    validator("plan").validate(data)
    assert Plan.from_json(data).to_json() == data
