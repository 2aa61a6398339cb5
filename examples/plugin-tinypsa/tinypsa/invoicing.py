"""What TinyPSA invoices for one product on one plan and one period, from its own records
(billing.md 3.1 as a quantity / delta-lines PSA realises it).

Each item's quantity history says what TinyPSA knew on which day; an invoice knows only
what was recorded by the time it is made:

* no proration, advance: the count in force on the period's first day, as known before
  that day's sync (so a change first seen that day is billed from the next period);
* no proration, arrears: the count in force on the period's last day, after that day's sync;
* proration: each item day-weighted over the period, as known after its last day's sync
  (a catch-up invoiced later is counted with the period it concerns).

Amounts are rounded half-up to cents per item, as TinyPSA prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reconciler.billing.periods import Period
from reconciler.model.specs import ADVANCE
from reconciler.money import ZERO, day_weighted, round_cents

from tinypsa.records import Item


@dataclass(frozen=True)
class Version:
    """An item as TinyPSA held it from `recorded_on` until its next version."""

    item_id: int
    quantity: int
    unit_price: Decimal
    effective: date
    end: date | None
    recorded_on: date

    def units_on(self, day: date) -> int:
        return 0 if day < self.effective or (self.end and day > self.end) else self.quantity

    def days_in(self, period: Period) -> int:
        first, last = max(period[0], self.effective), min(period[1], self.end or period[1])
        return max((last - first).days + 1, 0)


def versions(items: Iterable[Item]) -> list[Version]:
    return [
        Version(i.id, quantity, i.unit_price, i.effective_date, i.end_date, recorded_on)
        for i in items
        for recorded_on, quantity in i.history
    ]


def known_on(history: Iterable[Version], day: date) -> list[Version]:
    """The latest version of each item recorded on or before `day` (a later entry wins a tie)."""
    latest: dict[int, Version] = {}
    for v in history:
        if v.recorded_on <= day and (v.item_id not in latest or v.recorded_on >= latest[v.item_id].recorded_on):
            latest[v.item_id] = v
    return [latest[k] for k in sorted(latest)]


def invoice(items: Iterable[Item], period: Period, *, style: str, prorate: bool) -> Decimal:
    history = versions(items)
    first, last = period
    if prorate:
        return sum(
            (day_weighted(v.quantity, v.unit_price, v.days_in(period), period) for v in known_on(history, last)), ZERO
        )
    day, known = (first, first - timedelta(days=1)) if style == ADVANCE else (last, last)
    return sum((round_cents(v.units_on(day) * v.unit_price) for v in known_on(history, known)), ZERO)
