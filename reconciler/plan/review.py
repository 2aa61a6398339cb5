"""What a plan puts under "needs review": the outliers a billing manager looks at first.

Most nights a plan is a handful of routine seat changes. The review list picks out what is
not routine, each with why: a licence moving by more than the configured share or count,
a new client, a decrease on a protected licence, a dated change moved off its day,
price or cost drift, and a licence sold below Dicker Data's cost (or below
`review.min_margin_percent`). Only licences the plan changes are reviewed: a plan is
reviewed for what it does; `ncesync report margin` covers every licence.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from reconciler.billing.daily import LicenceOutcome
from reconciler.billing.desired import unit_cost
from reconciler.billing.licence import LicenceInput
from reconciler.model.specs import ReviewSettings
from reconciler.money import money, signed_money
from reconciler.plan import tally
from reconciler.plan.change import CREATE_CHARGE, Change
from reconciler.plan.plan import ReviewItem

SEAT_CHANGE = "seat-change"
NEW_CLIENT = "new-client"
PROTECTED_DECREASE = "protected-decrease"
MOVED_DAY = "moved-day"
PRICE_DRIFT = "price-drift"
COST_DRIFT = "cost-drift"
NEGATIVE_MARGIN = "negative-margin"
LOW_MARGIN = "low-margin"


def licence_items(item: LicenceInput, outcome: LicenceOutcome, limits: ReviewSettings) -> list[ReviewItem]:
    """The review entries of one licence's changes (none when it has no change)."""
    if not outcome.changes:
        return []
    key = item.product.key
    found = list(_seats(item, outcome, limits))
    found += [(kind, why) for change in outcome.changes for kind, why in _change_items(change)]
    found += _margin(item, outcome.desired, limits)
    return [ReviewItem(kind, why, item.client.dd_customer_id, item.client.name, key) for kind, why in found]


def client_items(
    client_id: str, client_name: str, changes: list[Change], items: list[ReviewItem], *, had_lines: bool
) -> list[ReviewItem]:
    """A client the PSA bills nothing for yet becomes one "new client" entry, in place of a
    seat-change entry per licence."""
    # the lines that bill seats: a one-off catch-up charge is created too, but its quantity
    # (one, or minus one for a credit) is no seat
    created = [c for c in changes if tally.CREATED in tally.effects(c) and c.action != CREATE_CHARGE]
    if had_lines or not created:
        return items
    seats = sum(int(c.after.get("quantity", 0)) for c in created)
    runrate = sum((Decimal(c.runrate_change) for c in changes), Decimal("0"))
    why = (
        f"new client: {len(created)} new line{'s' if len(created) != 1 else ''}, {seats} seats, "
        f"run-rate {signed_money(runrate)}/month; check the mapping before the first invoice"
    )
    rest = [i for i in items if i.kind != SEAT_CHANGE]
    return [ReviewItem(NEW_CLIENT, why, client_id, client_name), *rest]


def _seats(item: LicenceInput, outcome: LicenceOutcome, limits: ReviewSettings) -> Iterable[tuple[str, str]]:
    before, after = outcome.current or 0, outcome.desired
    moves = any(tally.effects(c) & {tally.SEATS, tally.CREATED} for c in outcome.changes)
    if not moves or before == after:
        return
    delta = after - before
    share = Decimal(abs(delta)) * 100 / Decimal(before) if before else None
    large_share = share is not None and before >= limits.min_seats and share > limits.seat_change_percent
    if abs(delta) > limits.seat_change_count or large_share:
        percent = "" if share is None else f", {'+' if delta > 0 else '-'}{_one_decimal(share)} %"
        what = f"a new line of {after} seats" if before == 0 else f"seats {before} → {after} ({delta:+d}{percent})"
        yield (
            SEAT_CHANGE,
            (
                f"{what}: more than the review threshold "
                f"({_one_decimal(limits.seat_change_percent)} % or {limits.seat_change_count} seats)"
            ),
        )
    if item.product.protect and delta < 0:
        yield (
            PROTECTED_DECREASE,
            (
                f"protected licence loses {-delta} seat{'s' if delta != -1 else ''} ({before} → {after}); "
                "apply refuses it without --force"
            ),
        )


def _change_items(change: Change) -> Iterable[tuple[str, str]]:
    if change.intended_date:
        yield (
            MOVED_DAY,
            (
                f"dated {change.effective_date} instead of {change.intended_date} (that day already "
                f"holds a dated change); invoice effect {signed_money(change.moved_effect or '0')}"
            ),
        )
    before, after = change.before, change.after
    if "unit_price" in before and "unit_price" in after:
        yield (
            PRICE_DRIFT,
            (
                f"unit price {money(before['unit_price'])} → {money(after['unit_price'])} (the profile "
                f"price); run-rate {signed_money(change.runrate_change)}/month"
            ),
        )
    if "unit_cost" in before and "unit_cost" in after:
        yield (
            COST_DRIFT,
            (
                f"Dicker Data's cost {money(before['unit_cost'])} → {money(after['unit_cost'])}; "
                f"the PSA's margin {signed_money(change.margin_change or '0')}/month"
            ),
        )


def _margin(item: LicenceInput, seats: int, limits: ReviewSettings) -> list[tuple[str, str]]:
    if seats <= 0:
        return []
    price = item.profile_price
    cost = unit_cost(item.subscriptions, count_trials=item.product.count_trials)
    per_seat = price - cost
    monthly = f"{signed_money(per_seat * seats)}/month for {seats} seats"
    if per_seat < 0:
        return [(NEGATIVE_MARGIN, f"sold at {money(price)}, below Dicker Data's cost {money(cost)}: {monthly}")]
    if price > 0 and per_seat * 100 / price < limits.min_margin_percent:
        share = _one_decimal(per_seat * 100 / price)
        return [
            (
                LOW_MARGIN,
                (
                    f"margin {share} % ({money(price)} against Dicker Data's {money(cost)}), below "
                    f"review.min_margin_percent {_one_decimal(limits.min_margin_percent)} %: {monthly}"
                ),
            )
        ]
    return []


def _one_decimal(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}"
    return text[:-2] if text.endswith(".0") else text
