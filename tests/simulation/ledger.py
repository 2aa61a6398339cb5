"""What the PSA must hold for one licence, run after run, by billing.md's rules alone.

`Ledger.expect(day, n)` says which write billing.md 3.2 asks for when a run on `day` sees
Dicker Data's count `n`, and records it; the simulation checks the plan made exactly that
write. From the recorded writes the ledger knows the count in force on every day and the
lines the PSA holds, so it can say what each period is invoiced (billing.md 3.1):

* seat model `quantity`: a main line whose quantity changes, dated by the run that wrote it;
* `delta_lines`: a main line and delta lines, each effective on the run's day, never changed;
* `dated_adjustments`: units change only through dated adjustments; for a PSA that takes
  one per line and date, a change whose t* is occupied goes to the next free day of t*'s
  period, with the moved days' money; no free day left: the next run writes it;
* `quantity_with_catch_up` (with proration): as `quantity`, and a change on day d of a
  period [ps, pe] of D days also writes a one-off catch-up, which 3.1 gives: in advance the
  period was invoiced at the old count q, so (n - q) x p x (pe - d + 1) / D more, rounded to
  cents; in arrears it is invoiced at the period's end count, and 3.1's invoice is
  day-weighted, each run of days at one count a line rounded to cents, so the period's
  catch-ups together make up the difference (each one: that invoice with this change, less
  the end count's, less the period's catch-ups before it). None when it comes to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tests.simulation.rules import ONE_DAY, cents, comparison_date, days_between, period_of, runs, weighted


@dataclass(frozen=True)
class Write:
    """The one write a run must make for a licence (None fields: no write)."""

    action: str  # create_line | set_quantity | create_delta | create_adjustment | deferred | none
    quantity: int = 0  # the written quantity or unit change
    effective: date | None = None
    intended: date | None = None  # a moved Autotask adjustment: t*
    moved_effect: Decimal | None = None
    catch_up: Decimal | None = None  # quantity with catch-up: the one-off it also writes


QUANTITY, DELTA_LINES, DATED_ADJUSTMENTS = "quantity", "delta_lines", "dated_adjustments"
QUANTITY_WITH_CATCH_UP = "quantity_with_catch_up"


@dataclass
class Ledger:
    seat_model: str  # one of the three above (capabilities.seat_model_for(prorate))
    one_change_per_date: bool  # capabilities.one_dated_change_per_line_and_date
    style: str
    prorate: bool
    price: Decimal
    billing_day: int
    initial: int | None  # seats on the PSA line at the start (None: no line yet)
    # (effective day, change, recorded on): deltas, adjustments, and a main line's creation
    changes: list[tuple[date, int, date]] = field(default_factory=list)
    main_history: list[tuple[date, int]] = field(default_factory=list)  # CW no prorate: (recorded on, qty)
    main_effective: date | None = None
    occupied: set[date] = field(default_factory=set)
    moved: list[tuple[date, Decimal]] = field(default_factory=list)  # (intended day, money)
    deferred: list[tuple[date, int, int, int]] = field(default_factory=list)  # (t*, n, E, days)
    catch_ups: list[tuple[date, Decimal]] = field(default_factory=list)  # (the change's day, amount)

    def __post_init__(self) -> None:
        if self.initial is not None and self.has_main_quantity:
            self.main_history.append((date(2024, 1, 1), self.initial))

    @property
    def has_main_quantity(self) -> bool:
        """One main line whose quantity is the count (no delta lines, no adjustments)."""
        return self.seat_model in (QUANTITY, QUANTITY_WITH_CATCH_UP)

    @property
    def has_line(self) -> bool:
        return self.initial is not None or bool(self.changes) or bool(self.main_history)

    # -- the count in force ----------------------------------------------------------------

    def count_on(self, day: date, *, known_on: date | None = None) -> int:
        """Seats the PSA bills on `day`, from what was written up to `known_on` (inclusive)."""
        known = known_on or date.max
        if self.has_main_quantity:
            if self.main_effective is not None and day < self.main_effective:
                return 0
            held = [q for recorded, q in self.main_history if recorded <= known]
            return held[-1] if held else 0
        total = self.initial or 0
        return total + sum(
            change for effective, change, recorded in self.changes if effective <= day and recorded <= known
        )

    # -- one run -----------------------------------------------------------------------

    def expect(self, day: date, n: int) -> Write:
        """The write billing.md asks for when the run of `day` sees `n` seats; recorded."""
        if self.seat_model == DATED_ADJUSTMENTS:
            return self._dated(day, n)
        return self._lines(day, n)

    def _lines(self, day: date, n: int) -> Write:
        current = self.count_on(day)
        if not self.has_line:
            if n == 0:
                return Write("none")
            if self.seat_model == DELTA_LINES:
                self.changes.append((day, n, day))
            else:
                self.main_effective = day
                self.main_history.append((day, n))
            return Write("create_line", n, day, catch_up=self._catch_up(day, n))
        if n == current:
            return Write("none")
        if self.seat_model == DELTA_LINES:
            self.changes.append((day, n - current, day))
            return Write("create_delta", n - current, day)
        self.main_history.append((day, n))
        return Write("set_quantity", n, day, catch_up=self._catch_up(day, n - current))

    def _catch_up(self, day: date, seats: int) -> Decimal | None:
        """billing.md 3.1 for a PSA whose invoice bills whole periods (see the top)."""
        if self.seat_model != QUANTITY_WITH_CATCH_UP:
            return None
        period = period_of(day, self.billing_day)
        if self.style == "advance":
            amount = weighted(seats, self.price, (period[1] - day).days + 1, period)
        else:  # the change is recorded: every day from `day` on is at the new count
            counts = {d: self.count_on(d, known_on=d) for d in days_between(*period)}
            invoice = sum((weighted(c, self.price, n, period) for c, n in runs(counts, period)), Decimal("0.00"))
            end = cents(counts[period[1]] * self.price)  # the PSA's own line, rounded as a line
            amount = invoice - end - sum(self.catch_ups_in(period), Decimal("0.00"))
        if amount == 0:
            return None
        self.catch_ups.append((day, amount))
        return amount

    def catch_ups_in(self, period: tuple[date, date]) -> list[Decimal]:
        return [amount for day, amount in self.catch_ups if period[0] <= day <= period[1]]

    def _dated(self, day: date, n: int) -> Write:
        t = comparison_date(True, self.style, self.prorate, day, self.billing_day)
        period = period_of(t, self.billing_day)
        actual = t
        while self.one_change_per_date and actual in self.occupied:
            actual += ONE_DAY
        compare = actual - ONE_DAY if actual != t else t
        current = self.count_on(compare)
        if (not self.has_line and n == 0) or (self.has_line and n == current):
            return Write("none")
        if actual > period[1]:
            self.deferred.append((t, n, current, (actual - t).days))
            return Write("deferred", n - current, actual, t)
        self.occupied.add(actual)
        self.changes.append((actual, n - current, day))
        if actual == t:
            return Write("create_adjustment", n - current, actual)
        money = -weighted(n - current, self.price, (actual - t).days, period)
        self.moved.append((t, money))
        return Write("create_adjustment", n - current, actual, t, money)

    # -- invoices --------------------------------------------------------------------------

    def lines(self) -> list[tuple[date, int]]:
        """Delta lines: (effective, quantity) of every line, the main line first."""
        base = [(date(2024, 1, self.billing_day), self.initial)] if self.initial is not None else []
        return base + [(effective, change) for effective, change, _ in self.changes]
