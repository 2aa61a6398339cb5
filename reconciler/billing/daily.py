"""Daily sync: the decision for one licence (one mapped product on one agreement).

billing.md sections 3 and 3.2. `plan_licence` is pure: it reads only its input and returns
the PSA writes that bring the count in force at the comparison date t* to Dicker Data's
count, or the errors that stop it. Idempotency comes from comparing at t*: a change dated
in the future (a next-period adjustment) or carried by a delta line is already in the count
a later run sees, so the run makes no second write.

The flow is the same for every PSA; what a seat change writes depends on the target's seat
model (`reconciler.provider.SeatModel`), one module each: `quantity`, `delta_lines`,
`dated_adjustments`, `catch_up` (quantity with catch-up). `after` of each Change (what the
provider writes):
* `create_line`: quantity = n, unit_price, unit_cost, effective_date, catalog_id,
  invoice_description when managed.
* `set_quantity` (quantity): the main line's new quantity, plus any drifted unit_price,
  unit_cost and invoice_description.
* `create_delta` (delta lines): quantity = n - E (signed), unit_price, unit_cost,
  effective_date, catalog_id, invoice_description when managed.
* `create_adjustment` (dated adjustments): quantity = the unit change n - E (signed; n when
  it creates the line), unit_price, unit_cost, effective_date, catalog_id; the invoice text
  is an `update_line` of its own.
* `update_line`: only the drifted fields among unit_price, unit_cost and invoice_description.
* `create_charge` (quantity with catch-up, ahead of the quantity write): quantity = 1 (-1
  for a credit), unit_price = the catch-up amount, effective_date, catalog_id, invoice_description,
  seats (n - E), days, period_start, period_end; `key` = catch-up/DATE/E>n (catch_up.py).
Delta and adjustment changes also carry `units_in_force` (E in `before`, n in `after`) for
display.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from reconciler.billing import catch_up, dated_adjustments, delta_lines, quantity, reason
from reconciler.billing import moved_days as moved
from reconciler.billing.desired import desired_count
from reconciler.billing.drift import Drift, drift_update, line_drift
from reconciler.billing.licence import Comparison, LicenceInput
from reconciler.billing.moved_days import WriteDay, write_day
from reconciler.billing.periods import comparison_date, period_containing
from reconciler.model.inventory import STATUSES, Subscription
from reconciler.model.psa import DELTA, MAIN, PsaLine
from reconciler.plan.change import CREATE_ADJUSTMENT, Change
from reconciler.provider import SeatModel

log = logging.getLogger(__name__)


class SeatModelRules(Protocol):
    """What each seat model's module offers (quantity.py, delta_lines.py, dated_adjustments.py)."""

    def create(self, comparison: Comparison) -> dict[str, Any]: ...

    def change(self, comparison: Comparison, main: PsaLine | None, drift: Drift) -> dict[str, Any]: ...

    def unchanged(self, comparison: Comparison) -> tuple[Change, ...]:
        """What to write although the PSA's count equals Dicker Data's (usually nothing)."""
        ...


SEAT_MODELS: dict[SeatModel, SeatModelRules] = {
    SeatModel.QUANTITY: quantity,
    SeatModel.DELTA_LINES: delta_lines,
    SeatModel.DATED_ADJUSTMENTS: dated_adjustments,
    SeatModel.QUANTITY_WITH_CATCH_UP: catch_up,
}


@dataclass(frozen=True)
class LicenceOutcome:
    changes: tuple[Change, ...]
    errors: tuple[str, ...]  # e.g. duplicates, inactive agreement (no writes then)
    warnings: tuple[str, ...]
    desired: int  # n
    current: int | None  # E at t* (None when no line)
    comparison_date: date  # the day the licence's dated change is written on (t* unless moved)
    description: str | None = None  # the invoice text in force from that day (None: not managed)


def plan_licence(item: LicenceInput) -> LicenceOutcome:
    """The changes (or errors) that bring one licence in line with Dicker Data."""
    unknown = [s for s in item.subscriptions if not s.status_known]
    if unknown:  # never read as "not active": that would be zero seats
        return LicenceOutcome((), (_unknown_status(item, unknown),), (), 0, None, item.sync_date)
    n = desired_count(item.subscriptions, count_trials=item.product.count_trials)
    planned = comparison_date(
        item.agreement,
        seat_model=item.seat_model,
        style=item.style,
        prorate=item.prorate,
        sync_date=item.sync_date,
    )
    day = _write_day(item, planned)
    when = day.actual
    outcome = LicenceOutcome((), (), (), n, None, when)
    try:
        text = _description(item, when)
    except ValueError as error:  # a template that validated but fails on this licence's data
        return replace(
            outcome, errors=(f"{item.product.key}: {error}; fix the template (ncesync describe previews it)",)
        )
    licence = Comparison(item, n, when, _managed_lines(item, day.compare_on), text, compare_on=day.compare_on)
    outcome = replace(outcome, warnings=_future_lines(licence), description=text)
    ending = _contract_ends_first(licence)
    if ending:
        return replace(outcome, **ending)
    problem = _agreement_problem(licence)
    if problem:
        return replace(outcome, errors=(problem,))
    free = [line for line in licence.managed if line.free_of_charge]
    if free:
        return replace(outcome, errors=(_free_of_charge(licence, free),))
    if not licence.managed:
        return replace(outcome, **_missing_line(licence))
    outcome = replace(outcome, current=licence.current)
    mains = [line for line in licence.managed if line.kind == MAIN]
    if len(mains) > 1:
        return replace(outcome, errors=(_duplicates(licence, mains),))
    result = _existing_lines(licence, mains[0] if mains else None)
    log.debug(
        "plan_licence: client=%s agreement=%s product=%s desired=%s current=%s changes=%s",
        item.client.dd_customer_id,
        item.agreement_id,
        item.product.psa_product,
        n,
        licence.current,
        len(result.get("changes", ())),
    )
    outcome = replace(outcome, **result)
    if day.moved and any(c.action == CREATE_ADJUSTMENT for c in outcome.changes):
        # only a dated change that was moved needs saying (a price or text fix has no date)
        return _moved(licence, day, outcome)
    return outcome


def _write_day(item: LicenceInput, planned: date) -> WriteDay:
    """Where the licence's dated change goes: t*, or the next free day when the PSA takes
    one dated change per line and date and t* already holds one."""
    if not item.capabilities.one_dated_change_per_line_and_date:
        return WriteDay(planned, planned, planned)
    return write_day(item.lines, planned, period_containing(item.agreement, planned))


def _moved(licence: Comparison, day: WriteDay, outcome: LicenceOutcome) -> LicenceOutcome:
    """The licence's dated change could not take t*: say so, with the money, or wait for
    the next run when no free day is left in t*'s period."""
    if day.deferred:
        return replace(outcome, changes=(), warnings=(*outcome.warnings, moved.deferred(licence, day)))
    changes = tuple(moved.annotated(licence, day, c) if c.action == CREATE_ADJUSTMENT else c for c in outcome.changes)
    note = moved.warning(licence, day, next(c for c in changes if c.action == CREATE_ADJUSTMENT))
    return replace(outcome, changes=changes, warnings=(*outcome.warnings, note))


def _description(item: LicenceInput, when: date) -> str | None:
    """The invoice text for a change effective `when` (ValueError: the template fails)."""
    text = item.invoice_description
    if text is None:
        return None
    rendered = text.on(when, period_containing(item.agreement, when), limit=item.description_limit)
    return rendered[: item.description_limit]


def _managed_lines(item: LicenceInput, when: date) -> tuple[PsaLine, ...]:
    return tuple(
        line
        for line in item.lines
        if line.agreement_id == item.agreement_id
        and line.product_id == item.product.psa_product
        and line.kind in (MAIN, DELTA)
        and line.active_on(when)
    )


def _future_lines(licence: Comparison) -> tuple[str, ...]:
    """Lines dated after t*: not counted now, and a likely duplicate once they start."""
    i = licence.item
    return tuple(
        f"{licence.label()}: line {line.id} starts on {line.effective_date.isoformat()}, "
        f"after {licence.when.isoformat()}; it is not counted in this comparison"
        for line in i.lines
        if line.agreement_id == i.agreement_id
        and line.product_id == i.product.psa_product
        and line.kind in (MAIN, DELTA)
        and line.effective_date is not None
        and line.effective_date > licence.when
    )


def _agreement_problem(licence: Comparison) -> str | None:
    i, agreement = licence.item, licence.item.agreement
    where = f"{i.words.agreement} {i.agreement_id}"
    if agreement is None:
        return f"{licence.label()}: {where} not found in {i.words.psa}; no change"
    if not agreement.is_active:
        return f"{licence.label()}: {where} is {agreement.status}; no change"
    if agreement.end_date and i.sync_date > agreement.end_date:
        return (
            f"{licence.label()}: {where} ended on {agreement.end_date.isoformat()}; no change. "
            f"Renew or extend it, or map the client to the {i.words.agreement} that replaced it"
        )
    if not agreement.covers(licence.when):
        dates = f"{agreement.start_date or '...'} to {agreement.end_date or '...'}"
        return (
            f"{licence.label()}: a change effective {licence.when.isoformat()} lies outside "
            f"the {where} dates ({dates}) and would be rejected; no change"
        )
    return None


def _contract_ends_first(licence: Comparison) -> dict[str, Any] | None:
    """The contract is still running but ends before t* (its last period, billing that
    moves changes to the next one): compare with the seats it bills on its last day.
    Equal: nothing to write, a warning that the contract ends. Different: an error, since
    no adjustment can take effect after the end."""
    i, agreement = licence.item, licence.item.agreement
    if agreement is None or not agreement.is_active or agreement.end_date is None:
        return None
    end = agreement.end_date
    if not i.sync_date <= end < licence.when:
        return None
    billed = sum(line.units_on(end) for line in _managed_lines(i, end))
    where = f"{i.words.agreement} {i.agreement_id}"
    ends = (
        f"{where} ends on {end.isoformat()}, before {licence.when.isoformat()}, the date this "
        f"billing style makes a change effective; renew or extend it in "
        f"{i.words.psa} so the next period can be billed"
    )
    if billed == licence.desired:
        return {"warnings": (f"{licence.label()}: {ends}",), "current": billed}
    return {
        "errors": (
            (
                f"{licence.label()}: Dicker Data has {reason.seats(licence.desired)}, the {where} bills "
                f"{billed} to its end; no change: {ends}"
            ),
        ),
        "current": billed,
    }


def _unknown_status(item: LicenceInput, subscriptions: list[Subscription]) -> str:
    said = ", ".join(f"{s.subscription_id} ({s.quantity} seats) has status {s.status!r}" for s in subscriptions)
    return (
        f"{item.product.key}: Dicker Data subscription {said}, which ncesync does not know "
        f"({', '.join(sorted(STATUSES))}); its seats are not counted as active or as gone: "
        "no change until Dicker Data shows a known status"
    )


def _free_of_charge(licence: Comparison, lines: list[PsaLine]) -> str:
    """A line the customer is not invoiced for: its seats would be changed, and billed nothing."""
    return (
        f"{licence.label()}: line {_ids(lines)} active on {licence.when.isoformat()} bills the customer "
        f"nothing (not billable in {licence.item.words.psa}); ncesync syncs seats only on lines the "
        "customer is invoiced for: make the line billable, or leave the stock code out of this "
        "client (exclude_stock_codes), no change"
    )


def _duplicates(licence: Comparison, mains: list[PsaLine]) -> str:
    return (
        f"{licence.label()}: {len(mains)} main lines active on {licence.when.isoformat()} "
        f"(line ids {_ids(mains)}); which one carries the seat count is ambiguous, no change"
    )


def _ids(lines: list[PsaLine]) -> str:
    return ", ".join(str(line.id) for line in sorted(lines, key=lambda x: x.id))


def _missing_line(comparison: Comparison) -> dict[str, Any]:
    """No managed line: create it with n, the way the seat model does (nothing when n is 0)."""
    if comparison.desired == 0:
        settle = SEAT_MODELS[comparison.item.seat_model].unchanged(comparison)
        return {"changes": settle} if settle else {}
    return SEAT_MODELS[comparison.item.seat_model].create(comparison)


def _existing_lines(comparison: Comparison, main: PsaLine | None) -> dict[str, Any]:
    """Managed lines exist: a seat change when E != n, and/or the main line's drift."""
    i = comparison.item
    drift = Drift()
    if main is not None:
        drift = line_drift(
            main,
            unit_price=i.profile_price,
            invoice_description=comparison.description,
            # a PSA whose lines carry no cost has no cost to follow
            unit_cost=comparison.cost
            if comparison.desired > 0 and i.follow_cost and i.capabilities.line_costs
            else None,
        )
    if comparison.current == comparison.desired:
        changes = SEAT_MODELS[i.seat_model].unchanged(comparison)
        if drift and main is not None:
            changes = (*changes, drift_update(comparison, main, drift))
        return {"changes": changes} if changes else {}
    return SEAT_MODELS[i.seat_model].change(comparison, main, drift)
