"""The `reason` sentences of daily-sync changes, written for a billing manager.

Each sentence says what Dicker Data has, what the PSA bills from which date, and what the
billing style makes of the difference, e.g. "Dicker Data has 15 active seats, the PSA
bills 12 from 2024-06-15; prorating agreement: delta +3 from 2024-06-15".
"""

from __future__ import annotations

from datetime import date

from reconciler.model.psa import PsaId
from reconciler.provider import Words


def seats(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"


def counts(words: Words, desired: int, current: int, when: date, not_counted: list[str]) -> str:
    """Dicker Data's count against the PSA's, naming the subscriptions behind a decrease."""
    text = (
        f"Dicker Data has {desired} active {'seat' if desired == 1 else 'seats'}, "
        f"{words.psa} bills {current} from {when.isoformat()}"
    )
    if desired < current and not_counted:
        text += f" (not counted: {', '.join(not_counted)})"
    return text


def set_quantity(words: Words, old: int, new: int) -> str:
    return f"{words.agreement} does not prorate: main line {old} -> {new}"


def whole_periods(words: Words, old: int, new: int) -> str:
    return f"{words.psa} invoices the line for whole periods: main line {old} -> {new}, and a catch-up settles this one"


def delta(words: Words, change: int, when: date) -> str:
    return f"prorating {words.agreement}: delta {change:+d} from {when.isoformat()}"


def adjustment(words: Words, style: str, prorate: bool, change: int, when: date, current_period_posted: bool) -> str:
    """Dated adjustments: why the adjustment takes effect on `when`."""
    if prorate:
        why = f"prorated billing, {words.psa} prorates from the change date"
    elif style == "advance":
        why = "advance billing without proration, effective from the next period"
    elif not current_period_posted:
        why = "arrears billing without proration, current period not yet posted"
    else:
        why = "arrears billing without proration, current period already posted"
    return f"{why}: adjustment {change:+d} from {when.isoformat()}"


def missing(
    words: Words, desired: int, product_name: str, agreement_id: PsaId, when: date, *, by_adjustment: bool
) -> str:
    where = f"{words.agreement} {agreement_id}"
    text = f"Dicker Data has {seats(desired)} of {product_name}; {where} has no line for it"
    if by_adjustment:
        return f"{text}: adjustment +{desired} from {when.isoformat()} creates the {words.line}"
    return f"{text}: create the main line with {desired} from {when.isoformat()}"
