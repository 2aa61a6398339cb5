"""Safety guards (billing.md section 7): refuse a dangerous plan unless --force.

Guards run at plan time too, so CI fails on a dangerous plan before anyone applies it.
Each refusal names the guard, the client, the numbers and the threshold.
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.model import Deployment, SafetySettings
from reconciler.plan.change import CREATE_ADJUSTMENT, CREATE_DELTA, CREATE_LINE, SET_QUANTITY, Change
from reconciler.plan.plan import Plan, Refusal

SOURCE_EMPTY = "source-empty"
DECREASE = "max-decrease-percent"
RUNRATE = "max-runrate-change"
PROTECTED = "protected-licence"
JUMP = "licence-jump"
REQUEST_SHARE = "max-request-share"


def check(plan: Plan, deployment: Deployment) -> list[Refusal]:
    refusals = _source_empty(plan) + _decreases(plan, deployment) + _protected(plan, deployment)
    refusals += _jumps(plan, deployment)
    refusals += _runrate(plan, deployment.settings.safety)
    refusals += _request_share(plan)
    return refusals


def _source_empty(plan: Plan) -> list[Refusal]:
    result = []
    for client_id, info in plan.clients.items():
        if info.dd_subscriptions == 0 and info.seats_psa > 0:
            result.append(
                Refusal(
                    SOURCE_EMPTY,
                    (
                        f"{info.name}: Dicker Data returned no subscriptions at all, but the PSA bills "
                        f"{info.seats_psa} seats; refusing to read that as zero seats (check Dicker Data, "
                        f"or use --force if the client really left)"
                    ),
                    client_id,
                )
            )
    return result


def _decreases(plan: Plan, deployment: Deployment) -> list[Refusal]:
    result = []
    for client_id, info in plan.clients.items():
        limits = _limits(deployment, client_id)
        before, after = info.seats_psa, info.seats_dicker_data
        if before < limits.min_seats or after >= before or info.dd_subscriptions == 0:
            continue
        drop = Decimal(before - after) * 100 / Decimal(before)
        if drop > limits.max_decrease_percent:
            result.append(
                Refusal(
                    DECREASE,
                    (
                        f"{info.name}: seats would drop from {before} to {after} ({drop:.1f} %), more than "
                        f"max_decrease_percent {limits.max_decrease_percent} % (applies from {limits.min_seats} seats)"
                    ),
                    client_id,
                )
            )
    return result


def seat_change(change: Change) -> int:
    """Seats a change adds (negative: removes), whatever its money does."""
    before, after = change.before, change.after
    for name in ("units_in_force", "quantity"):
        if name in before and name in after:
            return int(after[name]) - int(before[name])
    if change.action in (CREATE_DELTA, CREATE_ADJUSTMENT):
        return int(after.get("quantity", 0))
    return 0


def _protected(plan: Plan, deployment: Deployment) -> list[Refusal]:
    """Seats, not money: a decrease priced up at the same time is still a decrease."""
    result = []
    for change in plan.changes:
        product = deployment.products.get(change.product_key)
        seats = seat_change(change)
        if product and product.protect and seats < 0:
            result.append(
                Refusal(
                    PROTECTED,
                    (
                        f"{change.client_name}: {product.key} is protected and would lose {-seats} seat(s) "
                        f"on agreement {change.agreement_id}"
                    ),
                    change.client_id,
                )
            )
    return result


def seat_counts(change: Change) -> tuple[int, int] | None:
    """(seats before, seats after) of the licence a daily seat change writes; None for a
    change that moves no seats (a price fix, a monthly copy of an invoice line)."""
    before, after = change.before, change.after
    if "units_in_force" in after:
        return int(before.get("units_in_force", 0)), int(after["units_in_force"])
    if change.action == SET_QUANTITY and "quantity" in before and "quantity" in after:
        return int(before["quantity"]), int(after["quantity"])
    if change.action in (CREATE_LINE, CREATE_ADJUSTMENT) and "quantity" in after:
        return 0, int(after["quantity"])
    return None


def _jumps(plan: Plan, deployment: Deployment) -> list[Refusal]:
    """One licence moving by an absurd count or factor: a damaged source, not a customer.
    The client-wide guards miss it when the rest of the client hides it, or when it grows."""
    result = []
    for change in plan.changes:
        counts = seat_counts(change)
        if counts is None:
            continue
        before, after = counts
        limits = _limits(deployment, change.client_id)
        moved = after - before
        why = ""
        if abs(moved) > limits.max_licence_change:
            why = f"more than max_licence_change {limits.max_licence_change} seats"
        elif before > 0 and moved >= max(limits.min_seats, 1) and after > before * limits.max_licence_factor:
            why = (
                f"more than {limits.max_licence_factor} times its seats (max_licence_factor, "
                f"from a gain of {limits.min_seats} seats)"
            )
        if why:
            result.append(
                Refusal(
                    JUMP,
                    (
                        f"{change.client_name}: {change.product_key} on agreement {change.agreement_id} would go "
                        f"from {before} to {after} seats ({moved:+,}), {why}; check Dicker Data's count, or "
                        "use --force if it is real"
                    ),
                    change.client_id,
                )
            )
    return result


def _runrate(plan: Plan, limits: SafetySettings) -> list[Refusal]:
    if limits.max_runrate_change is None:
        return []
    total = sum((Decimal(c.runrate_change) for c in plan.changes), Decimal("0"))
    if abs(total) > limits.max_runrate_change:
        return [
            Refusal(
                RUNRATE,
                (
                    f"the plan changes the monthly run-rate by {total:+.2f}, more than max_runrate_change "
                    f"{limits.max_runrate_change}"
                ),
            )
        ]
    return []


def _request_share(plan: Plan) -> list[Refusal]:
    """The PSA's hourly requests are shared by every integration of its database (on some PSAs):
    an apply that would take more than its configured share of them waits for a person."""
    forecast = plan.requests
    if forecast is None or not forecast.over_share or not plan.changes:
        return []
    return [
        Refusal(
            REQUEST_SHARE,
            (
                f"applying this plan makes about {forecast.total:,} requests, {forecast.share} % of the "
                f"{forecast.hourly_limit:,} an hour the PSA allows every integration of the database together, "
                f"more than psa.max_request_share {forecast.max_share} %; apply fewer clients at a time (--client), "
                "or use --force at a quiet hour"
            ),
        )
    ]


def _limits(deployment: Deployment, client_id: str) -> SafetySettings:
    client = deployment.client(client_id)
    return client.safety if client and client.safety else deployment.settings.safety
