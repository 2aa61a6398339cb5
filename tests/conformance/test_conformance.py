"""The provider conformance suite: billing.md's test vectors, a refused write and a source
outage, run against every target provider (tests/conformance/registry.py: the providers
ncesync ships and every kit a plug-in installs) in every billing style.

Each vector runs the real engine and provider against the kit's PSA and checks what the PSA
then bills, by the kit's own reading of its records, against billing.md's numbers (June
2024 = 30 days, 20.00 a seat, 12 seats on a main line since before June). Prorated
catch-ups count with the period they concern, so every PSA gives the same numbers. The
randomized simulation (tests/simulation) runs over the same kits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from reconciler.apply.apply import apply_plan
from reconciler.run.job import plan_run
from reconciler.run.runtime import Runtime
from tests.conformance.kit import PsaKit
from tests.conformance.registry import kits
from tests.simulation.runner import Case, Simulation
from tests.simulation.scenario import CLIENTS, Setup, product

STYLES = [("advance", False), ("advance", True), ("arrears", False), ("arrears", True)]
JUNE = (date(2024, 6, 1), date(2024, 6, 30))
JULY = (date(2024, 7, 1), date(2024, 7, 31))
CONTOSO, FABRIKAM, NORTHWIND = CLIENTS  # Contoso: 12 seats of m365-bp at 20.00, billed from the 1st
D = date.fromisoformat


def _seat_write(change: Any) -> bool:
    """A write of a licence's seats: not an invoice-text or price update, not a one-off
    charge (a catch-up goes beside the seat write of a PSA that bills whole periods)."""
    return change.action != "update_line" and change.line_kind != "charge"


def _seats(tenant: str, key: str, quantity: int) -> Any:
    """Set the client's (first active) subscription of the product to `quantity` seats,
    adding one when it has none."""
    from tests.simulation.scenario import subscription

    client = next(c for c in CLIENTS if c.tenant == tenant)

    def edit(subs: list[dict[str, Any]]) -> None:
        mine = [s for s in subs if s["TenantId"] == tenant and s["StockCode"] == product(key).stock_code]
        if mine:
            mine[0]["ConfirmedQuantity"] = quantity
        else:
            subs.append(subscription(client, product(key), quantity, f"{tenant[:8]}-{key}-added"))

    return edit


def _no_subscriptions(tenant: str) -> Any:
    def edit(subs: list[dict[str, Any]]) -> None:
        subs[:] = [s for s in subs if s["TenantId"] != tenant]

    return edit


@pytest.fixture(
    params=[(kit, style) for kit in kits() for style in STYLES],
    ids=lambda p: f"{p[0].provider}-{p[1][0]}-{'prorate' if p[1][1] else 'no-prorate'}",
)
def psa(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    kit, (style, prorate) = request.param
    # over loopback: the vectors run the provider as it runs at an MSP, HTTP included (the
    # many-day simulation runs in-process)
    simulation = Simulation(tmp_path, Case(Setup(kit, style, prorate), 0, D("2024-06-01"), 1), over_loopback=True)
    yield simulation
    simulation.close()


def _invoices(sim: Simulation, client: Any, key: str) -> tuple[Decimal, Decimal]:
    pid = sim.setup.kit.product_id(product(key).kit)
    return tuple(
        sim.psa.invoice(client.agreement_id, pid, p, style=sim.setup.style, prorate=sim.setup.prorate)
        for p in (JUNE, JULY)
    )  # type: ignore[return-value]


def _expect(sim: Simulation, table: dict[tuple[str, bool], tuple[str, str]]) -> tuple[Decimal, Decimal]:
    june, july = table[(sim.setup.style, sim.setup.prorate)]
    return Decimal(june), Decimal(july)


def test_tv1_three_more_seats_seen_on_june_15(psa: Simulation) -> None:
    psa.run_day(D("2024-06-15"), _seats(CONTOSO.tenant, "m365-bp", 15))
    assert psa.run_day(D("2024-06-16")).changes == ()  # DD still 15: nothing, in every style
    assert _invoices(psa, CONTOSO, "m365-bp") == _expect(
        psa,
        {
            ("advance", False): ("240.00", "300.00"),
            ("arrears", False): ("300.00", "300.00"),
            ("advance", True): ("272.00", "300.00"),
            ("arrears", True): ("272.00", "300.00"),
        },
    )


def test_tv2_two_fewer_seats_seen_on_june_20(psa: Simulation) -> None:
    psa.run_day(D("2024-06-20"), _seats(CONTOSO.tenant, "m365-bp", 10))
    assert _invoices(psa, CONTOSO, "m365-bp") == _expect(
        psa,
        {
            ("advance", False): ("240.00", "200.00"),
            ("arrears", False): ("200.00", "200.00"),
            ("advance", True): ("225.33", "200.00"),
            ("arrears", True): ("225.33", "200.00"),
        },
    )


def test_tv3_a_product_missing_from_the_agreement_is_created(psa: Simulation) -> None:
    """Northwind has no m365-bp line; Dicker Data has 5 seats on June 10."""
    plan = psa.run_day(D("2024-06-10"), _seats(NORTHWIND.tenant, "m365-bp", 5))
    assert [c.after["quantity"] for c in plan.changes if c.client_id == NORTHWIND.tenant and _seat_write(c)] == [5]
    assert _invoices(psa, NORTHWIND, "m365-bp") == _expect(
        psa,
        {
            ("advance", False): ("0.00", "100.00"),
            ("arrears", False): ("100.00", "100.00"),
            ("advance", True): ("70.00", "100.00"),
            ("arrears", True): ("70.00", "100.00"),
        },
    )


def test_tv4_two_changes_in_one_period(psa: Simulation) -> None:
    plans = [
        psa.run_day(D("2024-06-10"), _seats(CONTOSO.tenant, "m365-bp", 15)),
        psa.run_day(D("2024-06-20"), _seats(CONTOSO.tenant, "m365-bp", 13)),
    ]
    # prorate: 240.00 + 3 x 20 x 21/30 (42.00) - 2 x 20 x 11/30 (14.67) = 267.33. A PSA that
    # takes one dated change per line and date moves the second change of the same t* (the
    # next period's first day) a day on, and the plan says what that costs: counted here.
    expected = _expect(
        psa,
        {
            ("advance", False): ("240.00", "260.00"),
            ("arrears", False): ("260.00", "260.00"),
            ("advance", True): ("267.33", "260.00"),
            ("arrears", True): ("267.33", "260.00"),
        },
    )
    moved = _moved(plans)
    got = _invoices(psa, CONTOSO, "m365-bp")
    for period, want, have in zip((JUNE, JULY), expected, got, strict=True):
        effects = [m for day, m in moved if period[0] <= day <= period[1]]
        assert abs(have - want - sum(effects, Decimal("0"))) <= Decimal("0.01") * len(effects), (
            period,
            have,
            want,
            effects,
        )


def _moved(plans: list[Any]) -> list[tuple[date, Decimal]]:
    """(intended day, money) of every change the plans moved off an occupied day."""
    return [(D(c.intended_date), Decimal(c.moved_effect)) for plan in plans for c in plan.changes if c.intended_date]


def test_tv5_no_change_writes_nothing(psa: Simulation) -> None:
    assert psa.run_day(D("2024-06-15")).changes == ()
    assert _invoices(psa, CONTOSO, "m365-bp") == (Decimal("240.00"), Decimal("240.00"))


def test_tv7_a_source_outage_is_refused_never_read_as_zero_seats(psa: Simulation) -> None:
    with psa.server.store.lock:
        _no_subscriptions(CONTOSO.tenant)(psa.server.store.records("dickerdata", "subscriptions"))
    with Runtime(psa.deployment, sync_date=D("2024-06-15"), environ=psa.environ) as runtime:
        plan = plan_run(runtime).plan
    assert [r.guard for r in plan.refusals if r.client_id == CONTOSO.tenant] == ["source-empty"]


def test_a_refused_write_stops_its_licence_only_and_a_rerun_finishes(psa: Simulation) -> None:
    with psa.server.store.lock:
        for edit in (
            _seats(CONTOSO.tenant, "m365-bp", 14),
            _seats(CONTOSO.tenant, "exo-p1", 7),
            _seats(FABRIKAM.tenant, "m365-bp", 9),
        ):
            edit(psa.server.store.records("dickerdata", "subscriptions"))
    day = D("2024-06-15")
    psa.server.clock = day
    psa.psa.set_today(day)
    with Runtime(psa.deployment, sync_date=day, environ=psa.environ) as runtime:
        plan = plan_run(runtime).plan
        seat_writes = [i for i, c in enumerate(plan.changes) if _seat_write(c)]
        assert len(seat_writes) == 3
        psa.psa.fail_write(seat_writes[0] + 1)  # the first licence's seat write is refused
        result = apply_plan(plan, runtime.target, psa.journal)
    (failed,) = result.failed
    refused = (failed.change.client_id, failed.change.product_id)
    assert all((f.change.client_id, f.change.product_id) == refused for f in result.failures)
    written = {(c.client_id, c.product_id) for c, _ in result.applied if _seat_write(c)}
    assert len(written) == 2 and refused not in written  # the other licences, of that client too
    with Runtime(psa.deployment, sync_date=day, environ=psa.environ) as runtime:
        again = plan_run(runtime).plan  # the rerun writes only the refused licence
        assert {(c.client_id, c.product_id) for c in again.changes if _seat_write(c)} == {refused}
        assert apply_plan(again, runtime.target, psa.journal).ok
        assert plan_run(runtime).plan.changes == ()  # and then nothing: no duplicate


def test_the_kit_names_its_provider(psa: Simulation) -> None:
    kit: PsaKit = psa.setup.kit
    assert psa.deployment.settings.psa.name == kit.provider
