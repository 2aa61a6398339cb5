"""Seat model `quantity`: the main line carries the count, and a seat change sets it.

billing.md 3.2, a PSA without proration (or an agreement that does not prorate): the main
line's quantity becomes n minus any delta lines left from prorating days, in one write that
also fixes the price or invoice text when they drifted. A missing line is created with n
from the sync date.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from reconciler.billing import reason
from reconciler.billing.drift import Drift, margin_change
from reconciler.billing.licence import Comparison
from reconciler.billing.new_line import main_line
from reconciler.model.psa import PsaLine
from reconciler.money import money_text
from reconciler.plan.change import SET_QUANTITY, Change
from reconciler.provider import Words


def create(comparison: Comparison) -> dict[str, Any]:
    return main_line(comparison)


def change(
    comparison: Comparison,
    main: PsaLine | None,
    drift: Drift,
    why: Callable[[Words, int, int], str] = reason.set_quantity,
) -> dict[str, Any]:
    """The main line carries n minus earlier delta lines (`why`: the reason's last words)."""
    if main is None:
        ids = ", ".join(str(line.id) for line in comparison.managed)
        return {
            "errors": (
                (
                    f"{comparison.label()}: only delta lines ({ids}) and no main line on a "
                    "non-prorating agreement; add a main line by hand; no change"
                ),
            )
        }
    old = main.units_on(comparison.count_day)
    new = comparison.desired - (comparison.current - old)
    if new < 0:
        return {
            "errors": (
                (
                    f"{comparison.label()}: delta lines sum to {comparison.current - old}, more than "
                    f"Dicker Data's {comparison.desired}; the main line cannot go negative; no change"
                ),
            )
        }
    text = f"{comparison.count_reason()}; {why(comparison.item.words, old, new)}"
    if drift:
        text += f"; the write also updates {drift.describe()}"
    runrate = Decimal(new) * comparison.item.profile_price - Decimal(old) * main.unit_price
    written = comparison.change(
        SET_QUANTITY,
        reason=text,
        line_id=main.id,
        before={"quantity": old, **drift.before},
        after={"quantity": new, **drift.after},
        runrate_change=money_text(runrate),
        margin_change=margin_change(drift, comparison.desired),
    )
    return {"changes": (written,)}


def unchanged(comparison: Comparison) -> tuple[Change, ...]:
    """Nothing to write when the PSA's count equals Dicker Data's (the seat model keeps no
    bookkeeping of its own that a failed write could leave unsettled)."""
    return ()
