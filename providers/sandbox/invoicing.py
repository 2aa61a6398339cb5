"""The sandbox's invoice simulation: what the emulated PSA would invoice for a period.

It turns world records into line histories (ConnectWise additions carry `_history`, the
quantity each sync day wrote; Autotask contract services carry their unit rows) and works
out the invoice by billing.md 3.1, so tests and demos can check the money a sync makes, not
only the records it writes. The engine never invoices: this lives with the emulated PSAs.

What a PSA invoices for one billing period, given the history of its lines (billing.md 3.1).

A line's history is a list of versions, each the whole line (quantity, price, dates) as the
PSA held it from `recorded_on`. An invoice only knows what the PSA knew when it was made:

* advance, no prorate: the count in force on the period's first day, as known before that
  day's sync (a change made later, that night's included, is not invoiced for that period:
  no catch-up, no credit);
* arrears, no prorate: the count in force on the period's last day, as known that day;
* arrears, prorate: each day of the period at that day's count, as known at the period end;
* advance, prorate (ConnectWise): the period day-weighted as known before its first day's
  sync, plus a catch-up for the previous period: what it comes to as known now, less what
  was invoiced for it;
* Autotask with proration: the prorated part of an adjustment belongs to the period it
  lands in, so the period is day-weighted as known at its end, whatever the style.

Amounts are rounded half-up to cents per line, as the PSAs print them. Invoicing day
(billing.md 3.2): a period is invoiced in advance on its first day *before* that night's
sync, so versions recorded that day are not known to it; in arrears after its last day's
sync, so they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from providers.sandbox.vendor_dates import parse_date
from reconciler.billing.periods import Period, period_containing
from reconciler.model.psa import Agreement
from reconciler.model.specs import ADVANCE
from reconciler.money import ZERO, day_weighted, round_cents

CONNECTWISE = "connectwise"
AUTOTASK = "autotask"

BEGINNING = date(1900, 1, 1)


@dataclass(frozen=True)
class LineVersion:
    """One PSA line as it stood from `recorded_on` until the line's next version.

    ConnectWise: one version per `_history` entry of an addition. Autotask: the contract
    service's initial units and each adjustment can each be a line of their own
    (quantity = unit change, effective = the adjustment's date, open-ended).
    """

    line_id: int
    quantity: int
    unit_price: Decimal
    effective: date | None
    cancelled: date | None
    recorded_on: date

    def units_on(self, day: date) -> int:
        if self.effective and day < self.effective:
            return 0
        if self.cancelled and day > self.cancelled:
            return 0
        return self.quantity

    def days_in(self, period: Period) -> int:
        """Days of `period` this version is in force (both ends inclusive)."""
        start = max(period[0], self.effective or period[0])
        end = min(period[1], self.cancelled or period[1])
        return max((end - start).days + 1, 0)


def versions_from_history(
    line_id: int,
    history: Iterable[tuple[date, int]],
    *,
    unit_price: Decimal,
    effective: date | None,
    cancelled: date | None,
) -> tuple[LineVersion, ...]:
    """Versions of a line whose quantity changed over time: (recorded on, quantity) pairs."""
    return tuple(
        LineVersion(line_id, quantity, unit_price, effective, cancelled, recorded_on)
        for recorded_on, quantity in sorted(history, key=lambda h: h[0])
    )


def known_on(versions: Iterable[LineVersion], day: date) -> tuple[LineVersion, ...]:
    """The latest version of each line recorded on or before `day` (later input wins a tie)."""
    latest: dict[int, LineVersion] = {}
    for v in versions:
        if v.recorded_on > day:
            continue
        held = latest.get(v.line_id)
        if held is None or v.recorded_on >= held.recorded_on:
            latest[v.line_id] = v
    return tuple(latest[k] for k in sorted(latest))


def _on_day(versions: Iterable[LineVersion], day: date, known: date) -> Decimal:
    lines = known_on(versions, known)
    return sum((round_cents(v.units_on(day) * v.unit_price) for v in lines), ZERO)


def _weighted(versions: Iterable[LineVersion], period: Period, known: date) -> dict[int, Decimal]:
    return {
        v.line_id: day_weighted(v.quantity, v.unit_price, v.days_in(period), period) for v in known_on(versions, known)
    }


def _catch_up(versions: tuple[LineVersion, ...], previous: Period, invoiced_on: date) -> Decimal:
    """Per line: the previous period as known on `invoiced_on`, less what was invoiced."""
    now = _weighted(versions, previous, invoiced_on)
    then = _weighted(versions, previous, previous[0] - timedelta(days=1))
    lines = set(now) | set(then)
    return sum((now.get(k, ZERO) - then.get(k, ZERO) for k in lines), ZERO)


def invoice_for_period(
    versions: Iterable[LineVersion],
    *,
    style: str,
    prorate: bool,
    period: Period,
    agreement: Agreement | None = None,
    psa_kind: str = CONNECTWISE,
) -> Decimal:
    """The amount the PSA invoices for `period` under the billing style.

    `agreement` places the period before `period` (monthly on the 1st when None); it matters
    only for the catch-up of ConnectWise advance prorate billing.
    """
    history = tuple(versions)
    start, end = period
    before_first_sync = start - timedelta(days=1)
    if not prorate:
        if style == ADVANCE:
            return _on_day(history, start, before_first_sync)
        return _on_day(history, end, end)
    if style != ADVANCE or psa_kind == AUTOTASK:
        return sum(_weighted(history, period, end).values(), ZERO)
    previous = period_containing(agreement, start - timedelta(days=1))
    regular = sum(_weighted(history, period, before_first_sync).values(), ZERO)
    return regular + _catch_up(history, previous, before_first_sync)


def connectwise_invoice(world: dict[str, Any], agreement_id: int, period: Period, *, style: str = ADVANCE) -> Decimal:
    """The invoice of a ConnectWise agreement for `period`; prorate is the agreement's flag."""
    cw = world["connectwise"]
    agreement = next(a for a in cw["agreements"] if a["id"] == agreement_id)
    versions = []
    for addition in cw["additions"]:
        if addition["agreementId"] != agreement_id or addition.get("billCustomer", "Billable") != "Billable":
            continue
        for entry in addition.get("_history") or [
            {"recordedOn": BEGINNING.isoformat(), "quantity": addition["quantity"]}
        ]:
            versions.append(
                LineVersion(
                    line_id=addition["id"],
                    quantity=int(entry["quantity"]),
                    unit_price=Decimal(str(addition["unitPrice"])),
                    effective=_day(addition.get("effectiveDate")),
                    cancelled=_day(addition.get("cancelledDate")),
                    recorded_on=date.fromisoformat(entry["recordedOn"]),
                )
            )
    return invoice_for_period(
        versions, style=style, prorate=bool(agreement.get("prorateFlag")), period=period, psa_kind=CONNECTWISE
    )


def autotask_invoice(
    world: dict[str, Any], contract_id: int, period: Period, *, style: str = ADVANCE, prorate: bool = True
) -> Decimal:
    """The invoice of an Autotask contract's services for `period`, from their unit rows."""
    at = world["autotask"]
    prices = {
        cs["id"]: Decimal(str(cs["unitPrice"])) for cs in at["contractServices"] if cs["contractID"] == contract_id
    }
    versions = [
        LineVersion(
            line_id=row["id"],
            quantity=int(row["units"]),
            unit_price=Decimal(str(row.get("price") or prices[row["contractServiceID"]])),
            effective=_day(row["startDate"]),
            cancelled=_day(row["endDate"]),
            recorded_on=BEGINNING,
        )
        for row in at["contractServiceUnits"]
        if row["contractID"] == contract_id
    ]
    return invoice_for_period(versions, style=style, prorate=prorate, period=period, psa_kind=AUTOTASK)


def _day(value: str | None) -> date | None:
    return parse_date(value) if value else None
