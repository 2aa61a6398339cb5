"""The randomized day-by-day simulation of billing.md 3.1 and 3.2 for the eight
combinations (PSA x advance/arrears x prorate on/off): seeded Dicker Data changes over more
than 30 days and a month boundary, checked after every run and on every period's invoice.

`make test` runs a few seeds of each combination; `pytest --slow tests/simulation` runs
50 seeds of each.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.simulation.runner import Case, Simulation
from tests.simulation.scenario import Setup

COMBINATIONS = [(psa, style, prorate) for psa in ("connectwise", "autotask")
                for style in ("advance", "arrears") for prorate in (False, True)]
# Both DST changes of Sydney (7 April, 6 October 2024) and Auckland (7 April, 29 September).
WINDOWS = [(date(2024, 3, 25), 41), (date(2024, 9, 20), 46)]
ZONES = ["Australia/Sydney", "Pacific/Auckland", "UTC"]
SERVED = ["midnight", "utc", "utc_z"]
RECEIVED = ["utc_instant", "literal"]
FAST_SEEDS = 1
SLOW_SEEDS = 50


def cases(seeds: range, *, autotask_extra: int = 0) -> list[Case]:
    """Every combination for each seed (Autotask, whose dates and adjustment days have more
    ways to go wrong, gets `autotask_extra` seeds more)."""
    result = []
    runs = [(combo, seed) for combo, seed in itertools.product(COMBINATIONS, seeds)]
    runs += [(combo, seeds.stop + i) for combo in COMBINATIONS if combo[0] == "autotask" for i in range(autotask_extra)]
    for (psa, style, prorate), seed in runs:
        start, days = WINDOWS[seed % len(WINDOWS)]
        setup = Setup(psa, style, prorate, timezone=ZONES[seed % len(ZONES)],
                      served=SERVED[seed % len(SERVED)] if psa == "autotask" else "midnight",
                      received=RECEIVED[(seed // 3) % len(RECEIVED)])
        result.append(Case(setup, seed, start, days))
    return result


def simulate(tmp_path, case: Case) -> None:
    simulation = Simulation(tmp_path, case)
    try:
        simulation.run_all()
    finally:
        simulation.close()


@pytest.mark.parametrize("case", cases(range(FAST_SEEDS), autotask_extra=1), ids=lambda c: c.label)
def test_daily_sync_bills_what_billing_md_says(tmp_path, case: Case) -> None:
    simulate(tmp_path, case)


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(range(FAST_SEEDS + 1, FAST_SEEDS + 1 + SLOW_SEEDS)), ids=lambda c: c.label)
def test_daily_sync_bills_what_billing_md_says_over_many_seeds(tmp_path, case: Case) -> None:
    simulate(tmp_path, case)
