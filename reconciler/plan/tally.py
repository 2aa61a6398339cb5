"""What each change of a plan does, as a billing manager counts it.

One write can do several things (a quantity write that also fixes the price), and two
writes can be one thing (a dated adjustment and its invoice-description update). Counting by effect keeps "14 to change" from meaning 7 seat changes: the plan's
totals and its renderers both count with `effects`, from the plan's JSON data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CREATED = "created"  # a new PSA line: a main line, a contract service, a charge
SEATS = "seats"  # the seats of an existing licence change
DESCRIPTION = "description"  # the invoice text of an existing line is rewritten
PRICE = "price"  # the unit price of an existing line follows the profile price
COST = "cost"  # the unit cost of an existing line follows Dicker Data's cost
CANCELLED = "cancelled"  # a line is cancelled (no rule cancels one yet)

SYMBOLS = {CREATED: "+", CANCELLED: "-"}  # everything else reads "~"

_CREATES = ("create_line", "create_charge")


def _field(change: Mapping[str, Any] | Any, name: str) -> Any:
    return change[name] if isinstance(change, Mapping) else getattr(change, name)


def effects(change: Mapping[str, Any] | Any) -> frozenset[str]:
    """The effects of one change (a plan JSON change or a Change)."""
    action = _field(change, "action")
    before, after = _field(change, "before"), _field(change, "after")
    if action in _CREATES or (action == "create_adjustment" and "units_in_force" not in before):
        return frozenset({CREATED})
    found = set()
    if action in ("create_delta", "create_adjustment"):
        if after.get("units_in_force") != before.get("units_in_force"):
            found.add(SEATS)
    elif "quantity" in before and before["quantity"] != after.get("quantity"):
        found.add(SEATS)
    existing = _field(change, "line_id") is not None or action != "update_line"
    for name, effect in (("invoice_description", DESCRIPTION), ("unit_price", PRICE), ("unit_cost", COST)):
        if name in before and name in after and existing:
            found.add(effect)
    return frozenset(found)


def symbol(change: Mapping[str, Any] | Any) -> str:
    """`+` for what is created, `-` for what is cancelled, `~` for every other change."""
    found = effects(change)
    for effect, mark in SYMBOLS.items():
        if effect in found:
            return mark
    return "~"


def counts(changes: Iterable[Mapping[str, Any] | Any]) -> dict[str, int]:
    """How many changes have each effect: seats changed, lines created, ... ."""
    totals = {CREATED: 0, SEATS: 0, DESCRIPTION: 0, PRICE: 0, COST: 0, CANCELLED: 0}
    for change in changes:
        for effect in effects(change):
            totals[effect] += 1
    return totals
