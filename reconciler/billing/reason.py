"""The `reason` sentences of daily-sync changes, written for a billing manager.

Each sentence says what Dicker Data has, what the PSA bills from which date, and what the
billing style makes of the difference, e.g. "Dicker Data has 15 active seats, ConnectWise
bills 12 from 2024-06-15; prorating agreement: delta +3 from 2024-06-15".
"""

from __future__ import annotations

from datetime import date

from reconciler.billing.periods import AUTOTASK

PSA_NAMES = {"connectwise": "ConnectWise", "autotask": "Autotask"}


def psa_name(psa_kind: str) -> str:
    return PSA_NAMES.get(psa_kind, psa_kind)


def container(psa_kind: str) -> str:
    """What the PSA calls the thing lines live on."""
    return "contract" if psa_kind == AUTOTASK else "agreement"


def seats(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"


def counts(psa_kind: str, desired: int, current: int, when: date, not_counted: list[str]) -> str:
    """Dicker Data's count against the PSA's, naming the subscriptions behind a decrease."""
    text = (
        f"Dicker Data has {desired} active {'seat' if desired == 1 else 'seats'}, "
        f"{psa_name(psa_kind)} bills {current} from {when.isoformat()}"
    )
    if desired < current and not_counted:
        text += f" (not counted: {', '.join(not_counted)})"
    return text


def set_quantity(old: int, new: int) -> str:
    return f"agreement does not prorate: main line {old} -> {new}"


def delta(change: int, when: date) -> str:
    return f"prorating agreement: delta {change:+d} from {when.isoformat()}"


def adjustment(style: str, prorate: bool, change: int, when: date, current_period_posted: bool) -> str:
    """Autotask: why the adjustment takes effect on `when`."""
    if prorate:
        why = "prorated billing, Autotask prorates from the change date"
    elif style == "advance":
        why = "advance billing without proration, effective from the next period"
    elif not current_period_posted:
        why = "arrears billing without proration, current period not yet posted"
    else:
        why = "arrears billing without proration, current period already posted"
    return f"{why}: adjustment {change:+d} from {when.isoformat()}"


def missing(psa_kind: str, desired: int, product_name: str, agreement_id: int, when: date) -> str:
    where = f"{container(psa_kind)} {agreement_id}"
    text = f"Dicker Data has {seats(desired)} of {product_name}; {where} has no line for it"
    if psa_kind == AUTOTASK:
        return f"{text}: adjustment +{desired} from {when.isoformat()} creates the contract service"
    return f"{text}: create the main line with {desired} from {when.isoformat()}"
