"""Drift of a main line's price, cost and invoice description from what the specs say,
and the update that corrects it.

The comparison covers two small field dicts only (never a whole PSA record), so a plan
names exactly the fields that differ and stays stable from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reconciler.model.psa import PsaLine
from reconciler.money import ZERO, money_text, runrate_change
from reconciler.plan.change import UPDATE_LINE, Change

if TYPE_CHECKING:
    from reconciler.billing.licence import Comparison


@dataclass(frozen=True)
class Drift:
    """The differing fields: PSA values in `before`, the values to write in `after`."""

    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.after)

    def describe(self) -> str:
        """What the write updates besides seats, as a phrase: 'the unit price 35.00 -> ...'."""
        parts = []
        if "unit_price" in self.after:
            parts.append(
                f"the unit price {self.before['unit_price']} -> {self.after['unit_price']} (the profile price)"
            )
        if "unit_cost" in self.after:
            parts.append(f"the unit cost {self.before['unit_cost']} -> {self.after['unit_cost']} (Dicker Data's cost)")
        if "invoice_description" in self.after:
            parts.append("the invoice description (rendered from the template)")
        return " and ".join(parts)


def margin_change(drift: Drift, seats: int) -> str | None:
    """How the monthly margin the PSA reports for `seats` moves when the line's unit cost
    follows Dicker Data's (None: the cost does not change)."""
    if "unit_cost" not in drift.after:
        return None
    rise = Decimal(drift.after["unit_cost"]) - Decimal(drift.before["unit_cost"])
    return money_text(-Decimal(seats) * rise)


def line_drift(
    line: PsaLine,
    *,
    unit_price: Decimal,
    invoice_description: str | None,
    unit_cost: Decimal | None = None,
) -> Drift:
    """Fields of `line` that differ from the profile price, Dicker Data's cost and the
    rendered description.

    `invoice_description` None means descriptions are not managed for this client, so the
    PSA's text is left alone; `unit_cost` None (no counted subscription) leaves the cost
    alone. Amounts compare in cents: 20.0 and 20.00 are the same price.
    """
    current: dict[str, Any] = {"unit_price": money_text(line.unit_price)}
    desired: dict[str, Any] = {"unit_price": money_text(unit_price)}
    if unit_cost is not None:
        current["unit_cost"] = money_text(line.unit_cost)
        desired["unit_cost"] = money_text(unit_cost)
    if invoice_description is not None:
        current["invoice_description"] = line.invoice_description
        desired["invoice_description"] = invoice_description
    # Both dicts have the same keys and flat values (text, or None for a missing description).
    changed = [key for key in current if current[key] != desired[key]]
    return Drift(
        before={k: current[k] for k in changed},
        after={k: desired[k] for k in changed},
    )


def drift_update(comparison: Comparison, main: PsaLine, drift: Drift) -> Change:
    """The update of the main line's drifted fields alone (no seat change)."""
    seats_now = main.units_on(comparison.count_day)
    runrate = ZERO
    if "unit_price" in drift.after:
        runrate = runrate_change(seats_now, comparison.item.profile_price - main.unit_price)
    text = f"{comparison.item.words.psa} main line {main.id} differs: update {drift.describe()}"
    return comparison.change(
        UPDATE_LINE,
        reason=text,
        line_id=main.id,
        before=dict(drift.before),
        after=dict(drift.after),
        runrate_change=money_text(runrate),
        margin_change=margin_change(drift, seats_now),
    )
