"""Daily sync, the Autotask realisation: units change only through dated adjustments.

One adjustment of n - E effective t* per licence; Autotask prorates when proration is on
(billing.md 3.2). Autotask takes one adjustment per service and date; `moved_days` finds
the day a follow-up change is dated on.
"""

from __future__ import annotations

from typing import Any

from reconciler.billing import reason
from reconciler.billing.drift import Drift, margin_change
from reconciler.billing.licence import Licence
from reconciler.money import money_text, runrate_change
from reconciler.billing.periods import current_period_posted
from reconciler.plan.change import CREATE_ADJUSTMENT, UPDATE_LINE, Change
from reconciler.model.psa import PsaLine


def adjust(licence: Licence, main: PsaLine | None, drift: Drift) -> dict[str, Any]:
    """Autotask: one adjustment of n - E effective t* (Autotask prorates when it is on)."""
    i = licence.item
    if i.catalog_id is None:
        return {"errors": (f"{licence.label()}: the product has no PSA id; cannot adjust it",)}
    seats_change = licence.desired - licence.current
    posted = current_period_posted(i.agreement, i.sync_date)
    why = reason.adjustment(i.style, i.prorate, seats_change, licence.when, posted)
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
    adjustment: it is written to the contract service by a change of its own, so every
    change is one write."""
    rest = dict(after)
    return rest, rest.pop("invoice_description", None)


def description_update(licence: Licence, main: PsaLine | None, description: str | None) -> tuple[Change, ...]:
    """The contract service's new invoice text, when it differs (`main` None: the service
    the adjustment creates, found by contract and service when written)."""
    current = main.invoice_description if main else ""
    if description is None or description == current:
        return ()
    return (licence.change(
        UPDATE_LINE,
        reason=f"the invoice description follows the template for {licence.desired} seats",
        line_id=main.id if main else None,
        before={"invoice_description": current},
        after={"invoice_description": description},
        runrate_change="0.00",
        one_off="0.00",
    ),)
