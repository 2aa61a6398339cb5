"""UnitWindow: which of a contract's unit rows a read fetches, by the dates its billing style
compares on (billing.md, "The comparison, in one sentence").

A contract runs for years with one row per service and period, so which rows are read
sets the size of an Autotask plan. The engine looks at rows from the period before t*'s
through the end of t*'s period: E on t* or the last occupied day after it, the adjustment
marks of that period's days (a mark on a period's first day needs the row that ends the day
before, in the period before), and the posted check of the sync date's period. So:

| style (Autotask) | t* | rows read |
| --- | --- | --- |
| proration | the sync date | the period before the sync date's, and that period |
| advance, no proration | the next period's first day | the sync date's period and the next |
| arrears, no proration | this period's or the next one's first day (posted or not) | the period before, this one and the next |

A contract whose style the read is not told (a re-read of one licence, the monthly sync,
two clients billing one contract differently) gets the rows of every style; one whose
period cannot be read keeps the widest window the read ever used (its licences are not
planned: the contract is reported as unreadable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask import mapping
from reconciler.billing.periods import period_containing
from reconciler.errors import ProviderError
from reconciler.model import Agreement, Scope
from reconciler.model.specs import ADVANCE, BillingStyle

ONE_DAY = timedelta(days=1)
UNREADABLE_REACH = timedelta(days=31 * 12 + 1)  # a year each way, as before styles were known


@dataclass(frozen=True, order=True)
class UnitWindow:
    """Rows ending on or after `first` and starting on or before `last`. `first` is what
    the mapping calls `rows_from`: every row ending on or after it is read."""

    first: date
    last: date

    def __or__(self, other: UnitWindow) -> UnitWindow:
        return UnitWindow(min(self.first, other.first), max(self.last, other.last))


def windows(contracts: Iterable[dict[str, Any]], scope: Scope, zone: ZoneInfo) -> dict[int, UnitWindow]:
    """The window of every contract record that has an id, by contract id."""
    found: dict[int, UnitWindow] = {}
    for record in contracts:
        contract_id = record.get("id")
        if not isinstance(contract_id, int) or isinstance(contract_id, bool):
            continue
        styles = None if scope.with_invoices else scope.billing.get(contract_id)
        found[contract_id] = window(record, styles, scope.sync_date, zone)
    return found


def window(
    record: dict[str, Any], styles: Iterable[BillingStyle] | None, sync_date: date, zone: ZoneInfo
) -> UnitWindow:
    try:
        agreement = mapping.agreement_from_json(record, zone=zone)
    except (ProviderError, ValueError, TypeError, ArithmeticError):
        return UnitWindow(sync_date - UNREADABLE_REACH, sync_date + UNREADABLE_REACH)
    chosen = list(styles or ())
    if not chosen:
        return _every_style(agreement, sync_date)
    result = _for_style(agreement, chosen[0], sync_date)
    for style in chosen[1:]:
        result = result | _for_style(agreement, style, sync_date)
    return result


def _for_style(agreement: Agreement, style: BillingStyle, sync_date: date) -> UnitWindow:
    current = period_containing(agreement, sync_date)
    before = period_containing(agreement, current[0] - ONE_DAY)
    following = period_containing(agreement, current[1] + ONE_DAY)
    if style.prorate:
        return UnitWindow(before[0], current[1])
    if style.style == ADVANCE:
        return UnitWindow(current[0], following[1])
    return UnitWindow(before[0], following[1])


def _every_style(agreement: Agreement, sync_date: date) -> UnitWindow:
    current = period_containing(agreement, sync_date)
    before = period_containing(agreement, current[0] - ONE_DAY)
    following = period_containing(agreement, current[1] + ONE_DAY)
    return UnitWindow(before[0], following[1])
