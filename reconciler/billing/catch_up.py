"""Seat model `quantity_with_catch_up`: the main line carries the count, and a prorated
change is settled by a one-off catch-up charge.

For a PSA that bills a line's quantity for whole periods and cannot prorate (a recurring
invoice template), billing.md 3.1's prorated outcome needs a charge of its own. The main
line's quantity becomes n as under `quantity`; the days of the current period that the
PSA's own invoice bills at the wrong count are charged (or credited) once:

* advance: the period was invoiced on its first day at the old count E, so the catch-up
  is (n - E) x p x (pe - d + 1) / D, the days from d to the period's end (TV-1: 3 seats x
  20.00 x 16/30 = 32.00, on the next invoice);
* arrears: the period will be invoiced after its last day at the new count n, and 3.1's
  invoice is day-weighted, each run of days at one count a line rounded to cents:
  E x p x (d - ps) / D + n x p x (pe - d + 1) / D. The catch-up is what brings n x p to it:
  round(E x p x (d - ps) / D) + round(n x p x (pe - d + 1) / D) - n x p (TV-1: June is
  invoiced 300.00, less 28.00: 112.00 + 160.00 = 272.00). Rounding the credit on its own,
  (E - n) x p x (d - ps) / D, would miss 3.1's total by a cent when the terms fall on half
  cents (12 -> 13 seats at 20.55 on 06-02: 8.22 + 258.25 = 266.47, not 267.15 - 0.69).

Several changes in one period compose: each catch-up starts from the count the one before
left. In arrears the period's counts so far are read back from its catch-ups' keys, and
each catch-up is the change's difference to 3.1's invoice of the runs of days, so that
together they make up that invoice exactly. A missing line is created the same way (E = 0). The catch-up is a `create_charge`
ahead of the quantity write in the plan's order (apply stops a licence at its first
failure), with a key naming the day and the two counts, and a number from the licence's
second catch-up of that day on (`catch_up_key`). A new change of the same counts (12 -> 15,
back to 12, and 15 again in one day) is a catch-up of its own. A zero amount (a change on
an arrears period's first day) writes no charge.

When the period's catch-ups went on from the main line's quantity while their quantity
writes failed (that night or earlier ones), their days are settled already: the next run
starts from the count they settled, not from the line's. So the rerun writes the quantity
only; if Dicker Data has changed again since, a catch-up from that count (12 -> 15 charged
on 06-15, the write failed, 16 on 06-16: one seat from 06-16, never the three again); and
if the count went back to the line's, the catch-up back to it alone (`unchanged`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from reconciler.billing import quantity, reason
from reconciler.billing.drift import Drift
from reconciler.billing.licence import Comparison
from reconciler.billing.periods import Period, days_in, period_containing
from reconciler.model.psa import CHARGE, PsaLine
from reconciler.model.specs import ADVANCE
from reconciler.money import ZERO, day_weighted, money_text, round_cents
from reconciler.plan.change import CREATE_CHARGE, Change

KEY_PREFIX = "catch-up"


def create(comparison: Comparison) -> dict[str, Any]:
    """No line yet: create it with n, and settle the period's days from 0 seats."""
    return _with_catch_up(comparison, quantity.create(comparison), 0)


def change(comparison: Comparison, main: PsaLine | None, drift: Drift) -> dict[str, Any]:
    """The main line's quantity becomes n, and the period's days are settled from E."""
    written = quantity.change(comparison, main, drift, why=reason.whole_periods)
    return _with_catch_up(comparison, written, comparison.current)


def catch_up_key(comparison: Comparison, current: int, number: int = 1) -> str:
    """`catch-up/YYYY-MM-DD/E>n` for the licence's first catch-up of the day, then
    `catch-up/YYYY-MM-DD/E>n/2`, `/3`... (keys stay unique when counts come back)."""
    key = f"{KEY_PREFIX}/{comparison.when.isoformat()}/{current}>{comparison.desired}"
    return key if number == 1 else f"{key}/{number}"


@dataclass(frozen=True)
class _Written:
    """A catch-up charge the PSA holds, read back from its key."""

    day: date
    number: int  # the licence's n-th catch-up of that day
    before: int
    after: int


def _written(comparison: Comparison, period: Period) -> list[_Written]:
    """The licence's catch-ups of `period` (the one the change's day is in) up to that day, oldest first."""
    found = []
    for line in comparison.item.lines:
        if line.kind != CHARGE or not line.key or not line.key.startswith(f"{KEY_PREFIX}/"):
            continue
        day, _, rest = line.key[len(KEY_PREFIX) + 1 :].partition("/")
        counts, _, number = rest.partition("/")
        before, _, after = counts.partition(">")
        try:
            written = _Written(date.fromisoformat(day), int(number or 1), int(before), int(after))
        except ValueError:
            continue  # not a key ncesync wrote
        if period[0] <= written.day <= comparison.when:
            found.append(written)
    return sorted(found, key=lambda w: (w.day, w.number))


def amount(style: str, counts: Sequence[tuple[int, int]], unit_price: Decimal, period: Period) -> Decimal:
    """The catch-up of the last change of `counts`, the period's counts as (day number, seats)
    from (1, the count the period started with), one per change, in order; billing.md 3.1:
    advance charges the days from the change to the period's end at the difference; arrears
    turns the end count's invoice into the day-weighted one, and what the catch-ups before it
    made up is not made up again."""
    *earlier, (day_count, after) = counts
    before = earlier[-1][1]
    if style == ADVANCE:
        return day_weighted(after - before, unit_price, days_in(period) - day_count + 1, period)
    return (_day_weighted(counts, unit_price, period) - round_cents(after * unit_price)) - (
        _day_weighted(earlier, unit_price, period) - round_cents(before * unit_price)
    )


def _day_weighted(counts: Sequence[tuple[int, int]], unit_price: Decimal, period: Period) -> Decimal:
    """3.1's invoice of the period: each run of days at one count, a line rounded to cents."""
    days = days_in(period)
    runs: list[tuple[int, int]] = []  # (first day number, seats), equal neighbours merged
    for day_count, seats in counts:
        if runs and runs[-1][0] == day_count:
            runs.pop()  # changed again the same day: the day's last count is billed
        if not runs or runs[-1][1] != seats:
            runs.append((day_count, seats))
    ends = [start for start, _ in runs[1:]] + [days + 1]
    return sum(
        (day_weighted(seats, unit_price, end - start, period) for (start, seats), end in zip(runs, ends, strict=True)),
        ZERO,
    )


def unchanged(comparison: Comparison) -> tuple[Change, ...]:
    """The line already holds Dicker Data's count, but the period's catch-ups settled another
    one (a charge written, its quantity write failed, and the count went back): the catch-up
    from that count, so the period is billed what it was, with no quantity write."""
    charge = _charge(comparison, comparison.current)
    return () if charge is None else (charge,)


def _settled(written: list[_Written], line_count: int) -> int:
    """The count the period's catch-ups have settled its invoice at: the last one's, when the
    line's count is where their run of catch-ups (each from the count the one before left)
    set out from or passed through, i.e. the quantity writes after them failed; else the
    line's (its quantity was written, or someone changed the line by hand)."""
    if not written or written[-1].after == line_count:
        return line_count
    passed = {written[-1].before}
    for earlier, later in zip(reversed(written[:-1]), reversed(written[1:]), strict=True):
        if earlier.after != later.before:
            break
        passed.add(earlier.before)
    return written[-1].after if line_count in passed else line_count


def _with_catch_up(comparison: Comparison, outcome: dict[str, Any], current: int) -> dict[str, Any]:
    changes: tuple[Change, ...] = outcome.get("changes", ())
    if not changes:
        return outcome  # an error, or nothing to write
    # the catch-up carries the one-off money; the quantity write bills from the next invoice
    written = tuple(_replace_one_off(c) for c in changes)
    charge = _charge(comparison, current)
    return {**outcome, "changes": written if charge is None else (charge, *written)}


def _charge(comparison: Comparison, current: int) -> Change | None:
    i = comparison.item
    period = period_containing(i.agreement, comparison.when)
    written = _written(comparison, period)
    line_count, current = current, _settled(written, current)
    if current == comparison.desired:
        return None
    today = [w.number for w in written if w.day == comparison.when]
    key = catch_up_key(comparison, current, max(today, default=0) + 1)
    seats = comparison.desired - current
    day_count = (comparison.when - period[0]).days + 1
    counts = [(1, written[0].before if written else current)]
    counts += [((w.day - period[0]).days + 1, w.after) for w in written]
    if counts[-1][1] != current:  # the line's count, when it is not the last catch-up's
        counts.append((counts[-1][0], current))
    money = amount(i.style, [*counts, (day_count, comparison.desired)], i.profile_price, period)
    if money == ZERO:
        return None
    if i.style == ADVANCE:
        first, last, days = comparison.when, period[1], days_in(period) - day_count + 1
    else:
        first, last, days = period[0], comparison.when - timedelta(days=1), day_count - 1
    text = (
        f"{i.product.name}: {abs(seats)} {'more' if seats > 0 else 'fewer'} "
        f"{'seat' if abs(seats) == 1 else 'seats'} from {first.isoformat()} to {last.isoformat()} "
        f"({days} of {days_in(period)} days at {money_text(i.profile_price)})"
    )
    price, whole = money_text(i.profile_price), days_in(period)
    if i.style == ADVANCE:
        how = f"{reason.seats(abs(seats))} x {price} x {days}/{whole}"
    else:
        how = (
            f"the period's days at the count of each day, each run of days rounded to cents, less "
            f"{comparison.desired} x {price} on its own invoice"
            + ("" if len(counts) == 1 else " and the period's catch-ups before this one")
        )
    unsettled = (
        f"; the catch-up of {written[-1].day.isoformat()} settled the period at {current} seats and the "
        f"quantity write after it did not follow (the line still holds {line_count})"
        if current != line_count
        else ""
    )
    why = (
        f"{comparison.count_reason()}{unsettled}; {i.words.psa} invoices whole periods, so the "
        f"{'advance' if i.style == ADVANCE else 'arrears'} invoice of {period[0].isoformat()} to "
        f"{period[1].isoformat()} is settled by a one-off catch-up of {money_text(money)} ({how})"
    )
    return comparison.change(
        CREATE_CHARGE,
        line_kind=CHARGE,
        reason=why,
        key=key,
        after={  # a credit is one line of minus one
            "quantity": 1 if money > 0 else -1,
            "unit_price": money_text(abs(money)),
            "effective_date": comparison.when.isoformat(),
            "catalog_id": i.catalog_id,
            "invoice_description": text[: i.description_limit],
            "seats": seats,
            "days": days,
            "period_start": period[0].isoformat(),
            "period_end": period[1].isoformat(),
        },
        runrate_change="0.00",
        one_off=money_text(money),
    )


def _replace_one_off(change: Change) -> Change:
    if change.one_off == "0.00":
        return change
    return replace(change, one_off="0.00")
