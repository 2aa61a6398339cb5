"""What the PSA holds, in one shape for every target provider.

An Agreement is what lines live on (an agreement, a contract); a PsaLine is one billed line
whose UnitSpans say how many seats it bills from when to when: one span for a line with a
quantity and dates, one per billing period (split where an adjustment took effect) for a PSA
that keeps dated unit rows. A one-off copy of an invoice line is a PsaLine of kind "charge".
Each provider's docs (docs/<provider>.md) say how its records map onto these.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TypeAlias

MAIN = "main"
DELTA = "delta"
CHARGE = "charge"

ACTIVE_STATUS = "Active"

# A PSA record's id as the PSA writes it: a number (PSAs that number their records) or text
# (PSAs whose ids are UUIDs). The engine compares and shows ids, never computes with them.
PsaId: TypeAlias = int | str


def id_order(value: PsaId) -> tuple[int, int, str]:
    """A sort key for ids: numbers in order, then texts (a mix never compares int with str)."""
    return (0, value, "") if isinstance(value, int) else (1, 0, value)


@dataclass(frozen=True)
class Agreement:
    id: PsaId
    company_id: PsaId
    name: str
    status: str  # "Active", "Cancelled", "Expired", "Inactive"
    prorate: bool | None = None  # the agreement's own Prorate flag, for a PSA that has one
    start_date: date | None = None
    end_date: date | None = None
    period_months: int = 1
    billing_day: int = 1  # the day of month periods start on
    # The first day of the first billing period, when the PSA bills from another day than the
    # agreement's start (ConnectWise's billStartDate): its month lines up periods of several
    # months. None: start_date.
    cycle_start: date | None = None
    posted_through: date | None = None  # a PSA that posts periods: last day of the last posted one

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE_STATUS

    def covers(self, day: date) -> bool:
        """True when `day` lies inside the agreement's start/end dates."""
        if self.start_date and day < self.start_date:
            return False
        return not (self.end_date and day > self.end_date)


@dataclass(frozen=True)
class UnitSpan:
    """`units` seats in force from `start` to `end` inclusive (None = open)."""

    start: date | None
    end: date | None
    units: int
    posted: bool = False

    def covers(self, day: date) -> bool:
        if self.start and day < self.start:
            return False
        return not (self.end and day > self.end)


@dataclass(frozen=True)
class PsaLine:
    id: PsaId
    agreement_id: PsaId
    product_id: str  # the PSA's product identifier (catalog identifier, service id), as text
    kind: str  # MAIN, DELTA or CHARGE
    spans: tuple[UnitSpan, ...]
    unit_price: Decimal
    unit_cost: Decimal
    description: str = ""
    invoice_description: str = ""
    key: str | None = None  # monthly sync: the invoice-line key this line copies
    billed: bool = False  # a charge already invoiced, so read-only
    free_of_charge: bool = False  # the PSA invoices the customer nothing for it (not billable)
    # Days on which the PSA already holds a dated change of this line (an adjustment, the
    # one that created the line included). A PSA that takes one dated
    # change per line and date refuses another on these days (billing.md 3.2).
    dated_change_days: frozenset[date] = frozenset()

    def units_on(self, day: date) -> int:
        """Seats this line bills on `day` (0 when it is not in force that day)."""
        return sum(s.units for s in self.spans if s.covers(day))

    def active_on(self, day: date) -> bool:
        return any(s.covers(day) for s in self.spans)

    @property
    def effective_date(self) -> date | None:
        starts = [s.start for s in self.spans if s.start]
        return min(starts) if starts else None

    @property
    def cancelled_date(self) -> date | None:
        if any(s.end is None for s in self.spans):
            return None
        ends = [s.end for s in self.spans if s.end]
        return max(ends) if ends else None


@dataclass(frozen=True)
class CatalogItem:
    product_id: str  # the PSA's product identifier, as text
    id: PsaId  # the PSA's record id
    description: str
    price: Decimal
    cost: Decimal = Decimal("0")


@dataclass(frozen=True)
class Unreadable:
    """A PSA record the provider read but could not understand (an unknown enum value, a
    missing, null or wrongly typed field). `message` is the provider's own, naming the
    entity, its id and the field.

    The licences that depend on the record are not planned; every other licence is. They
    are the licences on `agreement_id` (of every product when `product_id` is None) and of
    `product_id` (on every agreement when `agreement_id` is None)."""

    message: str
    agreement_id: PsaId | None = None
    product_id: str | None = None

    def affects(self, agreement_id: PsaId, product_id: str) -> bool:
        if self.agreement_id is None and self.product_id is None:
            return False
        return self.agreement_id in (None, agreement_id) and self.product_id in (None, product_id)


@dataclass(frozen=True)
class PsaState:
    """A complete read of what the run may touch. A failed read raises, never returns empty;
    records that were read but cannot be understood are listed in `unreadable` (and left
    out of the rest), so that only the licences depending on them stop."""

    companies: dict[PsaId, str] = field(default_factory=dict)  # id -> name
    agreements: dict[PsaId, Agreement] = field(default_factory=dict)
    lines: tuple[PsaLine, ...] = ()
    catalog: dict[str, CatalogItem] = field(default_factory=dict)
    unreadable: tuple[Unreadable, ...] = ()

    def unreadable_for(self, agreement_id: PsaId, product_id: str) -> list[Unreadable]:
        """The unreadable records a licence (agreement, product) depends on."""
        return [u for u in self.unreadable if u.affects(agreement_id, product_id)]

    def lines_of(self, agreement_id: PsaId, product_id: str) -> list[PsaLine]:
        return list(self._by_licence.get((agreement_id, product_id), ()))

    def lines_on(self, agreement_id: PsaId) -> list[PsaLine]:
        return list(self._by_agreement.get(agreement_id, ()))

    # Indexes built once per read: a run at thousands of clients must not scan every line
    # for every licence.
    @cached_property
    def _by_licence(self) -> dict[tuple[PsaId, str], list[PsaLine]]:
        index: dict[tuple[PsaId, str], list[PsaLine]] = defaultdict(list)
        for line in self.lines:
            index[(line.agreement_id, line.product_id)].append(line)
        return index

    @cached_property
    def _by_agreement(self) -> dict[PsaId, list[PsaLine]]:
        index: dict[PsaId, list[PsaLine]] = defaultdict(list)
        for line in self.lines:
            index[line.agreement_id].append(line)
        return index
