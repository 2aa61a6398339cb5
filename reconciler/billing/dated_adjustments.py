"""Seat model `dated_adjustments`: units change only through create-only adjustments.

One adjustment of n - E effective t* per licence; the PSA prorates it when proration is on
(billing.md 3.2), and without proration t* is a period's first day, so no partial period is
billed. A missing line is created by its first adjustment, dated t* like any other. The
invoice text is not part of an adjustment: it is an update of the line of its own, so every
change is one write. A PSA that takes one adjustment per line and date gets a follow-up
dated the next free day (`moved_days`).
"""

from __future__ import annotations

from typing import Any

from reconciler.billing import reason
from reconciler.billing.drift import Drift, margin_change
from reconciler.billing.licence import Comparison
from reconciler.billing.periods import current_period_posted
from reconciler.model.psa import PsaLine
from reconciler.money import money_text, runrate_change
from reconciler.plan.change import CREATE_ADJUSTMENT, UPDATE_LINE, Change


def create(comparison: Comparison) -> dict[str, Any]:
    """No line yet: an adjustment of +n creates it, and the invoice text follows."""
    i, n = comparison.item, comparison.desired
    if i.catalog_id is None:
        return {"errors": (f"{comparison.label()}: the product has no PSA id; cannot create it",)}
    text = reason.missing(i.words, n, i.product.name, i.agreement_id, comparison.when, by_adjustment=True)
    after, description = without_description(comparison.new_line_fields(n))
    created = comparison.change(
        CREATE_ADJUSTMENT,
        reason=text,
        after=after,
        runrate_change=money_text(runrate_change(n, i.profile_price)),
        one_off=comparison.one_off(n),
    )
    return {"changes": (created, *description_update(comparison, None, description))}


def change(licence: Comparison, main: PsaLine | None, drift: Drift) -> dict[str, Any]:
    """One adjustment of n - E effective t* (the PSA prorates it when proration is on)."""
    i = licence.item
    if i.catalog_id is None:
        return {"errors": (f"{licence.label()}: the product has no PSA id; cannot adjust it",)}
    seats_change = licence.desired - licence.current
    posted = current_period_posted(i.agreement, i.sync_date)
    why = reason.adjustment(i.words, i.style, i.prorate, seats_change, licence.when, posted)
    price_drift = Drift(
        before={k: v for k, v in drift.before.items() if k != "invoice_description"},
        after={k: v for k, v in drift.after.items() if k != "invoice_description"},
    )
    text = f"{licence.count_reason()}; {why}"
    if price_drift:
        text += f"; the adjustment also updates {price_drift.describe()}"
    after, description = without_description(licence.new_line_fields(seats_change))
    # A new price in the adjustment re-prices the seats already billed too, from t*.
    old_price = main.unit_price if main is not None and "unit_price" in price_drift.after else i.profile_price
    repriced = i.profile_price - old_price
    change = licence.change(
        CREATE_ADJUSTMENT,
        reason=text,
        line_id=main.id if main else None,
        before={"units_in_force": licence.current, **price_drift.before},
        after={**after, "units_in_force": licence.desired},
        runrate_change=money_text(
            runrate_change(seats_change, i.profile_price) + runrate_change(licence.current, repriced)
        ),
        one_off=money_text(
            licence.prorated(seats_change, i.profile_price) + licence.prorated(licence.current, repriced)
        ),
        margin_change=margin_change(price_drift, licence.desired),
    )
    return {"changes": (change, *description_update(licence, main, description))}


def without_description(after: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """An adjustment's fields without the invoice description, which is not part of an
    adjustment: it is written to the line by a change of its own, so every change is one
    write."""
    rest = dict(after)
    return rest, rest.pop("invoice_description", None)


def description_update(licence: Comparison, main: PsaLine | None, description: str | None) -> tuple[Change, ...]:
    """The line's new invoice text, when it differs (`main` None: the line the adjustment
    creates, found by agreement and product when written)."""
    current = main.invoice_description if main else ""
    if description is None or description == current:
        return ()
    return (
        licence.change(
            UPDATE_LINE,
            reason=f"the invoice description follows the template for {licence.desired} seats",
            line_id=main.id if main else None,
            before={"invoice_description": current},
            after={"invoice_description": description},
            runrate_change="0.00",
            one_off="0.00",
        ),
    )


def unchanged(comparison: Comparison) -> tuple[Change, ...]:
    """Nothing to write when the PSA's count equals Dicker Data's (the seat model keeps no
    bookkeeping of its own that a failed write could leave unsettled)."""
    return ()
