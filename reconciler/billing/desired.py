"""The desired count n of a licence, and its DD cost, from the client's subscriptions.

billing.md 3.1: n is the sum of the quantities of the *active* subscriptions; suspended,
cancelled, expired and deleted ones count 0, trials count 0 unless the product mapping
says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from reconciler.model.inventory import Subscription
from reconciler.money import ZERO, round_cents


def counts(subscription: Subscription, *, count_trials: bool) -> bool:
    """True when the subscription's seats are billed."""
    if not subscription.is_active:
        return False
    return count_trials or not subscription.is_trial


def desired_count(subscriptions: Iterable[Subscription], *, count_trials: bool) -> int:
    """n: the seats Dicker Data bills for these subscriptions (0 for none at all)."""
    return sum(s.quantity for s in subscriptions if counts(s, count_trials=count_trials))


def unit_cost(subscriptions: Iterable[Subscription], *, count_trials: bool) -> Decimal:
    """DD cost per seat per month written to PSA lines.

    One cost when all counted subscriptions agree; with several costs, the average weighted
    by seats, rounded to cents. When nothing counts (a decrease to zero) the subscriptions
    that do not count are used the same way, so a credit still carries the last known cost.
    """
    subs = list(subscriptions)
    counted = [s for s in subs if counts(s, count_trials=count_trials)]
    for group in (counted, subs):
        seats = sum(max(s.quantity, 0) for s in group)
        if seats > 0:
            total = sum((s.unit_cost * max(s.quantity, 0) for s in group), ZERO)
            return round_cents(total / seats)
    return round_cents(subs[0].unit_cost) if subs else ZERO


def not_counted(subscriptions: Iterable[Subscription], *, count_trials: bool) -> list[str]:
    """Subscriptions holding seats that do not count, as text for a billing manager.

    Used to explain a decrease: "SUB-2 (3 seats, SUSPENDED)".
    """
    notes = []
    for s in subscriptions:
        if s.quantity <= 0 or counts(s, count_trials=count_trials):
            continue
        state = "TRIAL" if s.is_active else s.status.upper()
        notes.append(f"{s.subscription_id} ({s.quantity} seats, {state})")
    return notes
