"""Planning from specs + Dicker Data + PSA state: licences, unmapped items, money, guards."""

from __future__ import annotations

from datetime import date

from reconciler.plan import safety
from reconciler.plan.planner import PlanRequest, build_plan
from reconciler.report.render import render
from tests.engine.conftest import CONTOSO, FABRIKAM, inventory, line, psa_state, sub
from tests.kit.capabilities import capabilities

DAY = date(2024, 6, 15)


def plan_for(deployment, inv, psa, *, clients=None, full_run=True):
    clients = clients if clients is not None else tuple(c for c in deployment.clients if c.active)
    return build_plan(PlanRequest(deployment, inv, psa, capabilities("connectwise"), DAY, clients, full_run))


def test_increase_on_a_non_prorating_agreement_sets_the_main_quantity(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 15))
    psa = psa_state(line(501, 1001, "M365-BP-ANNUAL", 12))
    plan = plan_for(deployment, inv, psa)
    [change] = [c for c in plan.changes if c.client_id == CONTOSO]
    assert change.action == "set_quantity"
    assert (change.before["quantity"], change.after["quantity"]) == (12, 15)
    assert change.runrate_change == "108.90"  # 3 seats x the profile price 36.30
    assert plan.totals()["runrate_change"] == "108.90"


def test_subscriptions_of_one_product_on_two_terms_are_separate_licences(deployment) -> None:
    inv = inventory(
        sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 10),
        sub(CONTOSO, "P1M:CFQ7TTC0LCHC:0002", 2),
    )
    plan = plan_for(deployment, inv, psa_state(line(501, 1001, "M365-BP-ANNUAL", 10)))
    created = [c for c in plan.changes if c.action == "create_line"]
    assert [(c.product_id, c.after["quantity"], c.after["unit_price"]) for c in created] == [
        ("M365-BP-MONTHLY", 2, "44.00")
    ]


def test_per_licence_agreement_override_routes_the_licence(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LH18:0001:1:", 4))
    plan = plan_for(deployment, inv, psa_state())
    [change] = plan.changes
    assert (change.agreement_id, change.product_id, change.after["quantity"]) == (1002, "EXO-P1", 4)


def test_unmapped_customers_and_stock_codes_are_reported_with_seats(deployment) -> None:
    inv = inventory(
        sub(CONTOSO, "P1Y:CFQ7TTC0LDPB:0001:1:", 7),
        sub("ffff0000-unmapped", "P1Y:CFQ7TTC0LCHC:0002:1:", 9, name="Northwind"),
    )
    plan = plan_for(deployment, inv, psa_state())
    kinds = {(u.kind, u.name, u.seats, u.stock_code) for u in plan.unmapped}
    assert ("stock_code", "Contoso Ltd", 7, "P1Y:CFQ7TTC0LDPB:0001:1:") in kinds
    assert ("customer", "Northwind", 9, None) in kinds
    text = render(plan.to_json(), "text")
    assert "customer Northwind [ffff0000-unmapped]: 9 seats" in text
    assert (
        "? warning: unmapped in Dicker Data, not billed by ncesync: 1 customer (9 seats), 1 stock code of mapped clients (7 seats)"
        in text
    )


def test_a_client_sync_reports_only_its_own_client(deployment) -> None:
    inv = inventory(
        sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 3), sub("ffff0000-unmapped", "P1Y:CFQ7TTC0LCHC:0002:1:", 9)
    )
    contoso = tuple(c for c in deployment.clients if c.dd_customer_id == CONTOSO)
    plan = plan_for(deployment, inv, psa_state(), clients=contoso, full_run=False)
    assert {c.client_id for c in plan.changes} == {CONTOSO}
    assert plan.unmapped == ()


def test_excluded_stock_codes_are_neither_synced_nor_unmapped(deployment) -> None:
    inv = inventory(sub(FABRIKAM, "P1M:CFQ7TTC0LCHC:0002", 5, name="Fabrikam"))
    plan = plan_for(deployment, inv, psa_state())
    assert plan.changes == () and plan.unmapped == ()


def test_invoice_description_is_rendered_from_the_client_template(deployment) -> None:
    inv = inventory(sub(FABRIKAM, "P1Y:CFQ7TTC0LCHC:0002:1:", 5, name="Fabrikam"))
    plan = plan_for(deployment, inv, psa_state())
    [change] = plan.changes
    assert change.after["invoice_description"] == "Microsoft 365 Business Premium for Fabrikam Pty Ltd: 5 seats"


def test_a_product_gone_from_dicker_data_is_planned_down_not_ignored(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 12))
    psa = psa_state(line(501, 1001, "M365-BP-ANNUAL", 12), line(502, 1001, "M365-BP-MONTHLY", 3, price="44.00"))
    plan = plan_for(deployment, inv, psa)
    [change] = [c for c in plan.changes if c.action == "set_quantity"]
    assert (change.product_id, change.before["quantity"], change.after["quantity"]) == ("M365-BP-MONTHLY", 3, 0)


def test_source_outage_for_a_client_is_refused_by_the_guard(deployment) -> None:
    """TV-7: no subscriptions at all for a client that had 40 seats yesterday."""
    psa = psa_state(line(501, 1001, "M365-BP-ANNUAL", 40))
    plan = plan_for(deployment, inventory(), psa)
    refusals = safety.check(plan, deployment)
    assert [r.guard for r in refusals] == [safety.SOURCE_EMPTY]
    assert "returned no subscriptions at all, but the PSA bills 40 seats" in refusals[0].message


def test_large_decrease_is_refused_with_numbers_and_threshold(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 5))
    plan = plan_for(deployment, inv, psa_state(line(501, 1001, "M365-BP-ANNUAL", 20)))
    [refusal] = [r for r in safety.check(plan, deployment) if r.guard == safety.DECREASE]
    assert "from 20 to 5 (75.0 %), more than max_decrease_percent 30 %" in refusal.message


def test_protected_licence_decrease_is_refused(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LH18:0001:1:", 9))
    plan = plan_for(deployment, inv, psa_state(line(601, 1002, "EXO-P1", 10, price="6.00")))
    assert [r.guard for r in safety.check(plan, deployment)] == [safety.PROTECTED]


def test_runrate_guard_counts_the_whole_plan(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 100))
    plan = plan_for(deployment, inv, psa_state(line(501, 1001, "M365-BP-ANNUAL", 10)))
    [refusal] = safety.check(plan, deployment)
    assert refusal.guard == safety.RUNRATE and "+3267.00, more than max_runrate_change 2500" in refusal.message


def test_plan_json_validates_against_its_schema(deployment) -> None:
    from reconciler.specs.schema import validator

    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 15), sub("ffff0000-unmapped", "P1M:CFQ7TTC0LH04:0001", 2))
    plan = plan_for(deployment, inv, psa_state(line(501, 1001, "M365-BP-ANNUAL", 12)))
    errors = list(validator("plan").iter_errors(plan.to_json()))
    assert errors == []


def test_a_licence_without_any_price_is_an_error_not_a_zero_price(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1M:CFQ7TTC0LCHC:0002", 4), sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 15))
    psa = psa_state(line(501, 1001, "M365-BP-ANNUAL", 12))
    psa.catalog.pop("M365-BP-MONTHLY")  # products.yaml sets no price for it either
    plan = plan_for(deployment, inv, psa)
    assert [c.product_id for c in plan.changes] == ["M365-BP-ANNUAL"]  # the other licence still syncs
    [error] = plan.errors
    assert "no price to bill at" in error.message and "M365-BP-MONTHLY" in error.message


def test_a_template_failing_on_one_licence_blocks_only_that_licence(deployment) -> None:
    from dataclasses import replace

    fabrikam = next(c for c in deployment.clients if c.dd_customer_id == FABRIKAM)
    broken = replace(fabrikam, description_template="{{ (term_end - sync_date).days }} days left")
    clients = tuple(broken if c is fabrikam else c for c in deployment.clients)
    inv = inventory(
        sub(FABRIKAM, "P1Y:CFQ7TTC0LCHC:0002:1:", 5, name="Fabrikam"), sub(CONTOSO, "P1Y:CFQ7TTC0LCHC:0002:1:", 15)
    )
    plan = plan_for(deployment, inv, psa_state(line(501, 1001, "M365-BP-ANNUAL", 12)), clients=clients)
    assert {c.client_id for c in plan.changes} == {CONTOSO}
    [error] = plan.errors
    assert error.client_id == FABRIKAM and "template does not render" in error.message


def test_an_excluded_stock_code_leaves_its_psa_line_alone(deployment) -> None:
    """Fabrikam excludes P1M:CFQ7TTC0LCHC:0002: its existing line is not planned down to 0."""
    inv = inventory(sub(FABRIKAM, "P1M:CFQ7TTC0LCHC:0002", 5, name="Fabrikam"))
    psa = psa_state(line(701, 1003, "M365-BP-MONTHLY", 5, price="44.00"))
    plan = plan_for(deployment, inv, psa)
    assert plan.changes == () and plan.errors == ()


def test_an_excluded_product_with_no_subscription_left_is_still_left_alone(deployment) -> None:
    psa = psa_state(line(701, 1003, "M365-BP-MONTHLY", 5, price="44.00"))
    plan = plan_for(deployment, inventory(sub(FABRIKAM, "P1Y:CFQ7TTC0LCHC:0002:1:", 2, name="Fabrikam")), psa)
    assert [c.product_id for c in plan.changes] == ["M365-BP-ANNUAL"]


def test_protected_decrease_is_refused_even_when_the_price_rises(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LH18:0001:1:", 9))
    plan = plan_for(deployment, inv, psa_state(line(601, 1002, "EXO-P1", 10, price="1.00")))  # catalogue 6.00
    [change] = plan.changes
    assert (change.before["quantity"], change.after["quantity"], change.after["unit_price"]) == (10, 9, "6.00")
    [refusal] = safety.check(plan, deployment)
    assert refusal.guard == safety.PROTECTED and "would lose 1 seat(s)" in refusal.message


def test_a_price_cut_without_fewer_seats_is_not_a_protected_decrease(deployment) -> None:
    inv = inventory(sub(CONTOSO, "P1Y:CFQ7TTC0LH18:0001:1:", 10))
    plan = plan_for(deployment, inv, psa_state(line(601, 1002, "EXO-P1", 10, price="9.00")))
    assert [c.action for c in plan.changes] == ["update_line"]
    assert safety.check(plan, deployment) == []
