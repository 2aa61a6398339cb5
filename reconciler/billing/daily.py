"""Daily sync: the decision for one licence (one mapped product on one agreement).

billing.md sections 3 and 3.2. `plan_licence` is pure: it reads only its input and returns
the PSA writes that bring the count in force at the comparison date t* to Dicker Data's
count, or the errors that stop it. Idempotency comes from comparing at t*: a change dated
in the future (an Autotask next-period adjustment) or carried by a delta line is already
in the count a later run sees, so the run makes no second write.

`after` of each Change (what the provider writes):
* `create_line` (ConnectWise): quantity = n, unit_price, unit_cost, effective_date,
  catalog_id, invoice_description when managed.
* `set_quantity` (ConnectWise, no prorate): quantity = the main line's new quantity, plus
  any drifted unit_price / invoice_description.
* `create_delta` (ConnectWise, prorate): quantity = n - E (signed), unit_price, unit_cost,
  effective_date, catalog_id, invoice_description when managed.
* `create_adjustment` (Autotask): quantity = the unit change n - E (signed; n when it
  creates the contract service), unit_price (adjustedUnitPrice), unit_cost
  (adjustedUnitCost), effective_date, service_id, contract_id, catalog_id, and
  invoice_description when managed. The adjustment carries the price and description, so
  Autotask drift is fixed by it and gets no separate update_line.
* `update_line`: only the drifted fields among unit_price and invoice_description.
Delta and adjustment changes also carry `units_in_force` (E in `before`, n in `after`) for
display.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.billing import moved_days as moved
from reconciler.billing import reason
from reconciler.billing.autotask import adjust, description_update, without_description
from reconciler.billing.moved_days import WriteDay, write_day
from reconciler.billing.desired import desired_count
from reconciler.billing.drift import Drift, line_drift, margin_change
from reconciler.billing.licence import Licence, LicenceInput
from reconciler.money import ZERO, money_text, runrate_change
from reconciler.billing.periods import comparison_date, period_containing
from reconciler.plan.change import (
    CREATE_ADJUSTMENT,
    CREATE_DELTA,
    CREATE_LINE,
    SET_QUANTITY,
    UPDATE_LINE,
    Change,
)
from reconciler.model.psa import DELTA, MAIN, PsaLine

log = logging.getLogger(__name__)


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
    n = desired_count(item.subscriptions, count_trials=item.product.count_trials)
    planned = comparison_date(
        item.agreement,
        psa_kind=item.psa_kind,
        style=item.style,
        prorate=item.prorate,
        sync_date=item.sync_date,
    )
    day = write_day(item.lines, planned, period_containing(item.agreement, planned))
    when = day.actual
    outcome = LicenceOutcome((), (), (), n, None, when)
    try:
        text = _description(item, when)
    except ValueError as error:  # a template that validated but fails on this licence's data
        return replace(outcome, errors=(f"{item.product.key}: {error}; fix the template (ncesync describe previews it)",))
    licence = Licence(item, n, when, _managed_lines(item, day.compare_on), text, compare_on=day.compare_on)
    outcome = replace(outcome, warnings=_future_lines(licence), description=text)
    ending = _contract_ends_first(licence)
    if ending:
        return replace(outcome, **ending)
    problem = _agreement_problem(licence)
    if problem:
        return replace(outcome, errors=(problem,))
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


def _moved(licence: Licence, day: WriteDay, outcome: LicenceOutcome) -> LicenceOutcome:
    """The licence's dated change could not take t*: say so, with the money, or wait for
    the next run when no free day is left in t*'s period."""
    if day.deferred:
        return replace(outcome, changes=(), warnings=outcome.warnings + (moved.deferred(licence, day),))
    changes = tuple(moved.annotated(licence, day, c) if c.action == CREATE_ADJUSTMENT else c for c in outcome.changes)
    note = moved.warning(licence, day, next(c for c in changes if c.action == CREATE_ADJUSTMENT))
    return replace(outcome, changes=changes, warnings=outcome.warnings + (note,))


def _description(item: LicenceInput, when: date) -> str | None:
    """The invoice text for a change effective `when` (ValueError: the template fails)."""
    text = item.invoice_description
    if text is None:
        return None
    rendered = text.on(when, period_containing(item.agreement, when), limit=item.description_limit)
    return rendered if item.description_limit is None else rendered[: item.description_limit]


def _managed_lines(item: LicenceInput, when: date) -> tuple[PsaLine, ...]:
    return tuple(
        line
        for line in item.lines
        if line.agreement_id == item.agreement_id
        and line.product_id == item.product.psa_product
        and line.kind in (MAIN, DELTA)
        and line.active_on(when)
    )


def _future_lines(licence: Licence) -> tuple[str, ...]:
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


def _agreement_problem(licence: Licence) -> str | None:
    i, agreement = licence.item, licence.item.agreement
    where = f"{reason.container(i.psa_kind)} {i.agreement_id}"
    if agreement is None:
        return f"{licence.label()}: {where} not found in {reason.psa_name(i.psa_kind)}; no change"
    if not agreement.is_active:
        return f"{licence.label()}: {where} is {agreement.status}; no change"
    if agreement.end_date and i.sync_date > agreement.end_date:
        return (
            f"{licence.label()}: {where} ended on {agreement.end_date.isoformat()}; no change. "
            f"Renew or extend it, or map the client to the {reason.container(i.psa_kind)} that replaced it"
        )
    if not agreement.covers(licence.when):
        dates = f"{agreement.start_date or '...'} to {agreement.end_date or '...'}"
        return (
            f"{licence.label()}: a change effective {licence.when.isoformat()} lies outside "
            f"the {where} dates ({dates}) and would be rejected; no change"
        )
    return None


def _contract_ends_first(licence: Licence) -> dict[str, Any] | None:
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
    where = f"{reason.container(i.psa_kind)} {i.agreement_id}"
    ends = (
        f"{where} ends on {end.isoformat()}, before {licence.when.isoformat()}, the date this "
        f"billing style makes a change effective; renew or extend it in "
        f"{reason.psa_name(i.psa_kind)} so the next period can be billed"
    )
    if billed == licence.desired:
        return {"warnings": (f"{licence.label()}: {ends}",), "current": billed}
    return {"errors": (
        f"{licence.label()}: Dicker Data has {reason.seats(licence.desired)}, the {where} bills "
        f"{billed} to its end; no change: {ends}",
    ), "current": billed}


def _duplicates(licence: Licence, mains: list[PsaLine]) -> str:
    ids = ", ".join(str(line.id) for line in sorted(mains, key=lambda x: x.id))
    return (
        f"{licence.label()}: {len(mains)} main lines active on {licence.when.isoformat()} "
        f"(line ids {ids}); which one carries the seat count is ambiguous, no change"
    )


def _missing_line(licence: Licence) -> dict[str, Any]:
    """No managed line: create the main line with n (nothing when n is 0)."""
    i, n = licence.item, licence.desired
    if n == 0:
        return {}
    if i.catalog_id is None:
        return {"errors": (f"{licence.label()}: the product has no PSA id; cannot create it",)}
    action = CREATE_ADJUSTMENT if licence.is_autotask else CREATE_LINE
    text = reason.missing(i.psa_kind, n, i.product.name, i.agreement_id, licence.when)
    after, description = licence.new_line_fields(n), None
    if licence.is_autotask:
        after, description = without_description(after)
    change = licence.change(
        action,
        reason=text,
        after=after,
        runrate_change=money_text(runrate_change(n, i.profile_price)),
        one_off=licence.one_off(n),
    )
    return {"changes": (change, *description_update(licence, None, description))}


def _existing_lines(licence: Licence, main: PsaLine | None) -> dict[str, Any]:
    """Managed lines exist: a quantity write when E != n, and/or the main line's drift."""
    i = licence.item
    drift = Drift()
    if main is not None:
        drift = line_drift(
            main,
            unit_price=i.profile_price,
            invoice_description=licence.description,
            unit_cost=licence.cost if licence.desired > 0 and i.follow_cost else None,
        )
    if licence.current == licence.desired:
        return {"changes": (_update_line(licence, main, drift),)} if drift else {}
    if licence.is_autotask:
        return adjust(licence, main, drift)
    if i.prorate:
        delta = _delta(licence)
        if isinstance(delta, str):
            return {"errors": (delta,)}
        extra = (_update_line(licence, main, drift),) if drift else ()
        return {"changes": (delta, *extra)}
    return _set_quantity(licence, main, drift)


def _update_line(licence: Licence, main: PsaLine | None, drift: Drift) -> Change:
    assert main is not None  # drift exists only for a main line
    seats_now = main.units_on(licence.count_day)
    runrate = ZERO
    if "unit_price" in drift.after:
        runrate = runrate_change(seats_now, licence.item.profile_price - main.unit_price)
    text = f"{reason.psa_name(licence.item.psa_kind)} main line {main.id} differs: update {drift.describe()}"
    return licence.change(
        UPDATE_LINE,
        reason=text,
        line_id=main.id,
        before=dict(drift.before),
        after=dict(drift.after),
        runrate_change=money_text(runrate),
        margin_change=margin_change(drift, seats_now),
    )


def _set_quantity(licence: Licence, main: PsaLine | None, drift: Drift) -> dict[str, Any]:
    """ConnectWise without proration: the main line carries n minus earlier delta lines."""
    if main is None:
        ids = ", ".join(str(line.id) for line in licence.managed)
        return {
            "errors": (
                f"{licence.label()}: only delta lines ({ids}) and no main line on a "
                "non-prorating agreement; add a main line by hand; no change",
            )
        }
    old = main.units_on(licence.count_day)
    new = licence.desired - (licence.current - old)
    if new < 0:
        return {
            "errors": (
                f"{licence.label()}: delta lines sum to {licence.current - old}, more than "
                f"Dicker Data's {licence.desired}; the main line cannot go negative; no change",
            )
        }
    text = f"{licence.count_reason()}; {reason.set_quantity(old, new)}"
    if drift:
        text += f"; the write also updates {drift.describe()}"
    price = licence.item.profile_price
    runrate = Decimal(new) * price - Decimal(old) * main.unit_price
    change = licence.change(
        SET_QUANTITY,
        reason=text,
        line_id=main.id,
        before={"quantity": old, **drift.before},
        after={"quantity": new, **drift.after},
        runrate_change=money_text(runrate),
        margin_change=margin_change(drift, licence.desired),
    )
    return {"changes": (change,)}


def _delta(licence: Licence) -> Change | str:
    """ConnectWise with proration: a dated delta line of n - E; CW prorates it itself."""
    if licence.item.catalog_id is None:
        return f"{licence.label()}: the product has no PSA id; cannot add a delta line"
    seats_change = licence.desired - licence.current
    text = f"{licence.count_reason()}; {reason.delta(seats_change, licence.when)}"
    return licence.change(
        CREATE_DELTA,
        line_kind=DELTA,
        reason=text,
        before={"units_in_force": licence.current},
        after={**licence.new_line_fields(seats_change), "units_in_force": licence.desired},
        runrate_change=money_text(runrate_change(seats_change, licence.item.profile_price)),
        one_off=licence.one_off(seats_change),
    )
