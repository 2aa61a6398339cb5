"""The simulation's driver: a sandbox, the real providers, and the engine's own plan and
apply, day after day, with the checks of the Autotask money issue after every run.

The vendor clients reach the sandbox in-process (in_process.py) unless `over_loopback` is
set; either way the sandbox also listens on loopback, for a client that brings its own HTTP.
"""

from __future__ import annotations

import os
import random
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from providers.sandbox import SandboxServer
from providers.sandbox.latency import Latency
from providers.sandbox.store import ON_STOP
from reconciler.apply.apply import apply_plan
from reconciler.apply.journal import Journal
from reconciler.plan.plan import Plan
from reconciler.run.job import plan_run
from reconciler.run.runtime import SANDBOX_URL_VARIABLE, Runtime
from reconciler.specs import load_deployment
from tests.conformance.kit import psa_ids
from tests.conformance.registry import capabilities
from tests.simulation.in_process import Tally, in_process
from tests.simulation.ledger import DATED_ADJUSTMENTS, DELTA_LINES, QUANTITY_WITH_CATCH_UP, Ledger, Write
from tests.simulation.rules import ONE_DAY, comparison_date, days_between, desired, period_of, runs, weighted
from tests.simulation.scenario import (
    CLIENTS,
    PRODUCTS,
    UNMAPPED_CODE,
    DickerDataChanges,
    Setup,
    open_psa,
    window,
    write_world,
)

TWO_RUNS_SHARE = 0.2  # days on which a subscription is edited again after the first run


@dataclass(frozen=True)
class Case:
    setup: Setup
    seed: int
    start: date
    days: int

    @property
    def label(self) -> str:
        s = self.setup
        dates = f"-{s.kit.served}-{s.kit.received}" if hasattr(s.kit, "served") else ""
        return (
            f"{s.kit.provider}-{s.style}-{'prorate' if s.prorate else 'no-prorate'}-seed{self.seed}-{self.start}"
            f"-{s.timezone}{dates}"
        )


@dataclass
class Licence:
    tenant: str
    agreement_id: int  # the kit's number of the agreement
    psa_agreement: Any  # the agreement's id as the client file and the plan write it
    product_key: str
    product_id: str
    prefix: str
    ledger: Ledger
    seen: dict[date, int]  # Dicker Data's count as the last run of each day saw it


class Simulation:
    def __init__(self, root: Path, case: Case, *, over_loopback: bool = False):
        self.case = case
        self.over_loopback = over_loopback
        self.setup = case.setup
        # No latency and no faults from the environment: the days are the case's alone (and
        # in-process, a wait could not time a read out).
        self.server = SandboxServer(write_world(root), clock=case.start, persist=ON_STOP, latency=Latency()).start()
        self.server.faults.clear()
        self.psa = open_psa(root, case.setup, self.server, case.start)
        self.deployment = load_deployment(root)
        self.environ = {k: v for k, v in os.environ.items() if not k.startswith("NCESYNC_SANDBOX")}
        self.environ.update(self.psa.environ, **{SANDBOX_URL_VARIABLE: self.server.url})
        self.journal = Journal(root, "simulation")
        self.rng = random.Random(case.seed)
        self.edits = DickerDataChanges(self.rng)
        can = capabilities(self.setup.kit)
        self.seat_model = can.seat_model_for(self.setup.prorate).value
        self.licences = [
            Licence(
                c.tenant,
                c.agreement_id,
                psa_ids(self.setup.kit, c.kit)[1],
                p.key,
                self.setup.kit.product_id(p.kit),
                p.prefix,
                Ledger(
                    self.seat_model,
                    can.one_dated_change_per_line_and_date,
                    self.setup.style,
                    self.setup.prorate,
                    p.price,
                    c.billing_day,
                    c.seats.get(p.key),
                ),
                {},
            )
            for c in CLIENTS
            for p in PRODUCTS
        ]
        self.billing_days = {c.tenant: c.billing_day for c in CLIENTS}
        self.plans: list[Plan] = []  # every run's plan, in order
        self.in_process = Tally()  # requests the sandbox answered in-process

    def close(self) -> None:
        self.psa.close()
        self.server.stop()

    # -- the days ----------------------------------------------------------------------

    def run_all(self) -> None:
        for day in window(self.case.start, self.case.days):
            with self.server.store.lock:
                self.edits.day(self._subscriptions())
            self.run(day)
            if self.rng.random() < TWO_RUNS_SHARE:
                with self.server.store.lock:
                    self.edits.second_edit(self._subscriptions())
                self.run(day)
        self.check_every_day()
        self.check_invoices()

    def run_day(self, day: date, *edits: Any) -> Plan:
        """A scripted day: each edit changes the Dicker Data subscriptions, then one run."""
        with self.server.store.lock:
            for edit in edits:
                edit(self._subscriptions())
        return self.run(day)

    def run(self, day: date) -> Plan:
        """One nightly run: plan, apply, then the checks of what it wrote."""
        self.server.clock = day
        self.psa.set_today(day)
        with self._transport(), Runtime(self.deployment, sync_date=day, environ=self.environ) as runtime:
            plan = plan_run(runtime).plan
            self.plans.append(plan)
            result = apply_plan(plan, runtime.target, self.journal)
            assert result.ok, f"{self.case.label} {day}: the PSA refused a write: {[f.why for f in result.failures]}"
            again = plan_run(runtime).plan
        assert again.changes == (), f"{self.case.label} {day}: a rerun would write {again.changes}"
        subscriptions = self.server.records("dickerdata", "subscriptions")
        for licence in self.licences:
            n = desired([s for s in subscriptions if s["TenantId"] == licence.tenant], (licence.prefix,))
            licence.seen[day] = n
            expected = licence.ledger.expect(day, n)
            self._check_write(plan, licence, day, n, expected)
            self._check_count(licence, day, n, expected)
        self._check_unmapped(plan, subscriptions)
        return plan

    def _transport(self) -> AbstractContextManager[Any]:
        return nullcontext() if self.over_loopback else in_process(self.server, self.in_process)

    def _subscriptions(self) -> list[dict[str, Any]]:
        return self.server.store.records("dickerdata", "subscriptions")

    # -- after each run ----------------------------------------------------------------

    def _check_write(self, plan: Plan, licence: Licence, day: date, n: int, expected: Write) -> None:
        where = f"{self.case.label} {day} {licence.tenant[:8]} {licence.product_key} (n={n})"
        writes = [
            c
            for c in plan.changes
            if (c.client_id, c.agreement_id, c.product_id)
            == (licence.tenant, licence.psa_agreement, licence.product_id)
            and c.action != "update_line"
        ]
        seats = [c for c in writes if c.action != "create_charge"]
        charges = [Decimal(c.one_off) for c in writes if c.action == "create_charge"]
        wanted = [expected.catch_up] if expected.catch_up is not None else []
        assert charges == wanted, (
            f"{where}: the plan's one-off catch-ups are {charges}, billing.md 3.1 asks for {wanted}"
        )
        if expected.action in ("none", "deferred"):
            assert seats == [], f"{where}: expected no seat write, the plan has {seats}"
            if expected.action == "deferred":
                assert any(
                    licence.product_key in (w.product_key or "") and "written by the next run" in w.message
                    for w in plan.warnings
                ), f"{where}: a deferred change must be said"
            return
        assert len(seats) == 1, f"{where}: expected {expected}, the plan has {seats}"
        (change,) = seats
        action = "create_adjustment" if self.seat_model == DATED_ADJUSTMENTS else expected.action
        got = (
            change.action,
            change.after.get("quantity"),
            change.effective_date,
            change.intended_date,
            change.moved_effect,
        )
        want = (
            action,
            expected.quantity,
            expected.effective.isoformat(),
            expected.intended.isoformat() if expected.intended else None,
            f"{expected.moved_effect:.2f}" if expected.moved_effect is not None else None,
        )
        assert got == want, f"{where}: the plan wrote {got}, billing.md asks for {want}"

    def _check_count(self, licence: Licence, day: date, n: int, expected: Write) -> None:
        """The PSA count in force from the day the write takes effect equals Dicker Data."""
        if expected.action == "deferred":
            return
        if expected.effective is not None:
            on = expected.effective
        elif self.seat_model == DATED_ADJUSTMENTS:
            on = comparison_date(True, self.setup.style, self.setup.prorate, day, self.billing_days[licence.tenant])
            while on in licence.ledger.occupied and on + ONE_DAY in licence.ledger.occupied:
                on += ONE_DAY
        else:
            on = day
        if not licence.ledger.has_line and n == 0:
            return
        got = self.psa.count_on(licence.agreement_id, licence.product_id, on)
        assert got == n, (
            f"{self.case.label} {day} {licence.tenant[:8]} {licence.product_key}: the PSA bills {got} on {on}, Dicker Data has {n}"
        )

    def _check_unmapped(self, plan: Plan, subscriptions: list[dict[str, Any]]) -> None:
        # only subscriptions with active seats leak money; the others are not listed
        buyers = {
            s["TenantId"]
            for s in subscriptions
            if s["StockCode"] == UNMAPPED_CODE and s["Status"].upper() == "ACTIVE" and s["ConfirmedQuantity"] > 0
        }
        listed = {u.tenant_id for u in plan.unmapped if u.kind == "stock_code" and u.stock_code == UNMAPPED_CODE}
        assert buyers == listed, f"{self.case.label}: the unmapped stock code must be reported for {buyers}"

    # -- at the end --------------------------------------------------------------------

    def check_every_day(self) -> None:
        """The PSA's count on every day, up to the end of the period after the last run,
        is the one billing.md's writes give."""
        last = period_of(self.case.start + (self.case.days + 31) * ONE_DAY, 1)[1]
        for licence in self.licences:
            for day in days_between(self.case.start, last):
                got = self.psa.count_on(licence.agreement_id, licence.product_id, day)
                assert got == licence.ledger.count_on(day), (
                    f"{self.case.label} {licence.tenant[:8]} {licence.product_key} {day}: "
                    f"the PSA bills {got}, billing.md's writes give {licence.ledger.count_on(day)}"
                )

    def check_invoices(self) -> None:
        first, last = self.case.start, self.case.start + (self.case.days - 1) * ONE_DAY
        for licence in self.licences:
            for period in self._complete_periods(licence, first, last):
                where = f"{self.case.label} {licence.tenant[:8]} {licence.product_key} {period[0]}..{period[1]}"
                actual = self.psa.invoice(
                    licence.agreement_id, licence.product_id, period, style=self.setup.style, prorate=self.setup.prorate
                )
                assert actual == self._expected(licence, period), (
                    f"{where}: invoiced {actual}, expected {self._expected(licence, period)}"
                )
                self._check_against_dicker_data(licence, period, actual, where)

    def _complete_periods(self, licence: Licence, first: date, last: date) -> list[tuple[date, date]]:
        billing_day = self.billing_days[licence.tenant]
        found = {period_of(day, billing_day) for day in days_between(first, last)}
        return sorted(p for p in found if p[0] > first and p[1] <= last)

    def _expected(self, licence: Licence, period: tuple[date, date]) -> Decimal:
        """The period's invoice from the writes billing.md asks for (the ledger)."""
        ledger, price = licence.ledger, licence.ledger.price
        if self.seat_model == DATED_ADJUSTMENTS:
            counts = {day: ledger.count_on(day) for day in days_between(*period)}
            return sum((weighted(c, price, d, period) for c, d in runs(counts, period)), Decimal("0.00"))
        if ledger.has_main_quantity:  # the whole period at one count, and any catch-ups
            if self.setup.style == "advance":
                whole = ledger.count_on(period[0], known_on=period[0] - ONE_DAY) * price
            else:
                whole = ledger.count_on(period[1], known_on=period[1]) * price
            return whole + sum(ledger.catch_ups_in(period), Decimal("0.00"))
        total = Decimal("0.00")
        for effective, quantity in ledger.lines():
            start = max(effective, period[0])
            if start <= period[1]:
                total += weighted(quantity, price, (period[1] - start).days + 1, period)
        return total

    def _check_against_dicker_data(
        self, licence: Licence, period: tuple[date, date], actual: Decimal, where: str
    ) -> None:
        """billing.md 3.1's outcome from Dicker Data's counts alone; on Autotask the moved
        (and deferred) days are accounted as the plan reported them."""
        price, seen = licence.ledger.price, licence.seen
        if not self.setup.prorate:
            day = period[0] - ONE_DAY if self.setup.style == "advance" else period[1]
            ideal = seen[day] * price
        elif self.seat_model == DELTA_LINES:
            return  # a delta line per change, each rounded: the ledger above is 3.1's outcome
        else:
            counts = {day: seen[day] for day in days_between(*period)}
            ideal = sum((weighted(c, price, d, period) for c, d in runs(counts, period)), Decimal("0.00"))
        if self.seat_model == QUANTITY_WITH_CATCH_UP and self.setup.style == "advance":
            # each advance catch-up is a line of its own (3.1), rounded on its own, the ideal per
            # run of equal days: a cent per catch-up; in arrears the catch-ups make up the ideal
            slack = Decimal("0.01") * (len(licence.ledger.catch_ups_in(period)) + 1)
            assert abs(actual - ideal) <= slack, f"{where}: invoiced {actual}, billing.md 3.1 says {ideal}"
            return
        if self.seat_model != DATED_ADJUSTMENTS:
            assert actual == ideal, f"{where}: invoiced {actual}, billing.md 3.1 says {ideal}"
            return
        ledger = licence.ledger
        moved = [money for day, money in ledger.moved if period[0] <= day <= period[1]]
        waited = [
            -weighted(n - e, price, days, period) for t, n, e, days in ledger.deferred if period[0] <= t <= period[1]
        ]
        accounted = ideal + sum(moved, Decimal("0")) + sum(waited, Decimal("0"))
        # Each move is rounded on its own, the invoice per row: a cent apart per move at most.
        slack = Decimal("0.01") * (len(moved) + len(waited))
        assert abs(actual - accounted) <= slack, (
            f"{where}: invoiced {actual}, billing.md 3.1 says {ideal} with {moved + waited} for moved days"
        )
