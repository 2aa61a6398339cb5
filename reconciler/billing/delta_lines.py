"""Seat model `delta_lines`: a seat change adds a dated line of n - E; the PSA prorates it.

billing.md 3.2, a prorating agreement: the delta line is effective on the sync date, with no
end, and accumulates with the main line and earlier delta lines (E is their sum in force on
t*). Price or text drift of the main line is corrected by an update of its own. A missing
line is created with n from the sync date; the PSA prorates its first period itself.
"""

from __future__ import annotations

from typing import Any

from reconciler.billing import reason
from reconciler.billing.drift import Drift, drift_update
from reconciler.billing.licence import Comparison
from reconciler.billing.new_line import main_line
from reconciler.model.psa import DELTA, PsaLine
from reconciler.money import money_text, runrate_change
from reconciler.plan.change import CREATE_DELTA, Change


def create(comparison: Comparison) -> dict[str, Any]:
    return main_line(comparison)


def change(comparison: Comparison, main: PsaLine | None, drift: Drift) -> dict[str, Any]:
    if comparison.item.catalog_id is None:
        return {"errors": (f"{comparison.label()}: the product has no PSA id; cannot add a delta line",)}
    seats_change = comparison.desired - comparison.current
    text = f"{comparison.count_reason()}; {reason.delta(comparison.item.words, seats_change, comparison.when)}"
    delta = comparison.change(
        CREATE_DELTA,
        line_kind=DELTA,
        reason=text,
        before={"units_in_force": comparison.current},
        after={**comparison.new_line_fields(seats_change), "units_in_force": comparison.desired},
        runrate_change=money_text(runrate_change(seats_change, comparison.item.profile_price)),
        one_off=comparison.one_off(seats_change),
    )
    extra = (drift_update(comparison, main, drift),) if drift and main is not None else ()
    return {"changes": (delta, *extra)}


def unchanged(comparison: Comparison) -> tuple[Change, ...]:
    """Nothing to write when the PSA's count equals Dicker Data's (the seat model keeps no
    bookkeeping of its own that a failed write could leave unsettled)."""
    return ()
