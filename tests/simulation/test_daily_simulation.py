"""The randomized day-by-day simulation of billing.md 3.1 and 3.2, for every target provider
(the conformance kits: tests/conformance/registry.py) and every billing style (advance or
arrears, proration on or off): seeded Dicker Data changes over more than 30 days and a month
boundary, checked after every run and on every period's invoice.

`make test` runs a few seeds of each combination; `pytest --slow tests/simulation` runs 50
seeds of each.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.conformance.kit import PsaKit
from tests.conformance.registry import kits
from tests.conformance.sandbox_kits import AutotaskKit
from tests.simulation.runner import Case, Simulation
from tests.simulation.scenario import Setup

STYLES = [(style, prorate) for style in ("advance", "arrears") for prorate in (False, True)]
# Both DST changes of Sydney (7 April, 6 October 2024) and Auckland (7 April, 29 September).
WINDOWS = [(date(2024, 3, 25), 41), (date(2024, 9, 20), 46)]
ZONES = ["Australia/Sydney", "Pacific/Auckland", "UTC"]
SERVED = ["midnight", "utc", "utc_z"]
RECEIVED = ["utc_instant", "literal"]
FAST_SEEDS = 1
SLOW_SEEDS = 50


def _kit(kit: PsaKit, seed: int) -> PsaKit:
    """Autotask's database serves and reads dates in each way a tenant may, seed by seed."""
    if isinstance(kit, AutotaskKit):
        return AutotaskKit(served=SERVED[seed % len(SERVED)], received=RECEIVED[(seed // 3) % len(RECEIVED)])
    return kit


def cases(seeds: range, *, extra_for: str = "autotask") -> list[Case]:
    """Every kit and style for each seed (Autotask, whose dates and adjustment days have more
    ways to go wrong, gets one seed more)."""
    result = []
    for kit, (style, prorate), seed in itertools.product(kits(), STYLES, seeds):
        for s in [seed] + ([seeds.stop] if kit.provider == extra_for and seed == seeds.start else []):
            start, days = WINDOWS[s % len(WINDOWS)]
            setup = Setup(_kit(kit, s), style, prorate, timezone=ZONES[s % len(ZONES)])
            result.append(Case(setup, s, start, days))
    return result


def simulate(tmp_path, case: Case) -> None:
    simulation = Simulation(tmp_path, case)
    try:
        simulation.run_all()
    finally:
        simulation.close()


@pytest.mark.parametrize("case", cases(range(FAST_SEEDS)), ids=lambda c: c.label)
def test_daily_sync_bills_what_billing_md_says(tmp_path, case: Case) -> None:
    simulate(tmp_path, case)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", cases(range(FAST_SEEDS + 1, FAST_SEEDS + 1 + SLOW_SEEDS), extra_for=""), ids=lambda c: c.label
)
def test_daily_sync_bills_what_billing_md_says_over_many_seeds(tmp_path, case: Case) -> None:
    simulate(tmp_path, case)
