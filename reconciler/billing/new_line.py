"""A licence with no line on its agreement yet: the main line with n (billing.md 3 rule 4)."""

from __future__ import annotations

from typing import Any

from reconciler.billing import reason
from reconciler.billing.licence import Comparison
from reconciler.money import money_text, runrate_change
from reconciler.plan.change import CREATE_LINE


def main_line(comparison: Comparison) -> dict[str, Any]:
    """Create the main line with n from t*, at the profile price and Dicker Data's cost."""
    i, n = comparison.item, comparison.desired
    if i.catalog_id is None:
        return {"errors": (f"{comparison.label()}: the product has no PSA id; cannot create it",)}
    text = reason.missing(i.words, n, i.product.name, i.agreement_id, comparison.when, by_adjustment=False)
    created = comparison.change(
        CREATE_LINE,
        reason=text,
        after=comparison.new_line_fields(n),
        runrate_change=money_text(runrate_change(n, i.profile_price)),
        one_off=comparison.one_off(n),
    )
    return {"changes": (created,)}
