"""After a write whose outcome is unknown, what the PSA shows: applied (and which record),
or not applied.

A lost answer, a timeout or an answer without the new record's id does not mean the write
failed: the PSA often holds it. Journaling it as "failed" made the journal lie, since the
rerun then rightly writes nothing and never journals it. So the licence is read again and
compared with the change: the seats it bills on the change's date, the line a quantity or
price write targets, the copy of an invoice line with the change's key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reconciler import clock
from reconciler.apply.journal import RECENT_BYTES, STARTED, Journal, change_of, interrupted, scan_journal
from reconciler.errors import ProviderError, UncertainWriteError
from reconciler.model import Deployment, PsaLine, PsaState, Scope
from reconciler.model.psa import CHARGE
from reconciler.plan.change import CREATE_CHARGE, SET_QUANTITY, UPDATE_LINE, Change
from reconciler.provider import TargetProvider, WriteResult

log = logging.getLogger(__name__)

APPLIED = "applied"
NOT_APPLIED = "not_applied"
UNKNOWN = "unknown"


class NotAppliedError(ProviderError):
    """A write whose answer was lost, and that the PSA was re-read not to hold."""


@dataclass(frozen=True)
class Confirmation:
    outcome: str  # APPLIED | NOT_APPLIED | UNKNOWN
    record_id: int | str | None = None
    evidence: str = ""  # what the re-read showed, for the journal


def confirm(change: Change, state: PsaState) -> Confirmation:
    """What `state` (read after the write) says about `change`. Pure: no I/O."""
    lines = state.lines_of(change.agreement_id, change.product_id)
    if change.action == CREATE_CHARGE:
        return _charge(change, lines)
    if change.action in (SET_QUANTITY, UPDATE_LINE):
        return _fields(change, lines)
    return _seats(change, lines)


def outcome_of(error: ProviderError) -> str:
    """The journal outcome of a write that raised `error`."""
    if isinstance(error, NotAppliedError):
        return NOT_APPLIED
    if isinstance(error, UncertainWriteError):
        return UNKNOWN
    return "failed"


class ConfirmingTarget:
    """A target whose writes leave no doubt in the journal.

    Before each write it journals that the write is being sent ("started"), so a run killed
    before the answer is journaled leaves a trace the next apply settles (`settle_interrupted`).
    On an UncertainWriteError it re-reads the licence and returns the record found (the
    write happened) or raises NotAppliedError (it did not); when the re-read cannot tell,
    the UncertainWriteError stands (journaled as "unknown")."""

    def __init__(
        self,
        target: TargetProvider,
        deployment: Deployment,
        sync_date: date,
        journal: Journal | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self._target = target
        self._deployment = deployment
        self._sync_date = sync_date
        self._journal = journal
        self._sleep = clock.sleep if sleep is None else sleep

    def write(self, change: Change) -> WriteResult:
        if self._journal is not None:
            self._journal.record(change, outcome=STARTED)
        try:
            return self._target.write(change)
        except UncertainWriteError as error:
            return self._settle(change, error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def _settle(self, change: Change, error: UncertainWriteError) -> WriteResult:
        if error.settle_after > 0:
            # A timed-out request may still be in the vendor's hands: give it that long again.
            self._sleep(error.settle_after)
        try:
            found = confirm(change, self._target.read(scope_of(change, self._deployment, self._sync_date)))
        except ProviderError as again:
            raise UncertainWriteError(
                f"{error}; re-reading the PSA to find out failed too ({again}); the next plan shows "
                "whether it is still needed",
                status=error.status,
                vendor_message=error.vendor_message,
            ) from error
        log.warning(
            "apply: uncertain write client=%s action=%s re-read=%s %s",
            change.client_id,
            change.action,
            found.outcome,
            found.evidence,
        )
        if found.outcome == APPLIED:
            return WriteResult(
                record_id=found.record_id,
                detail=found.evidence,
                note=f"{error}; re-reading the PSA found it applied: {found.evidence}",
            )
        if found.outcome == NOT_APPLIED:
            raise NotAppliedError(
                f"{error}; re-reading the PSA found it not applied: {found.evidence}",
                status=error.status,
                vendor_message=error.vendor_message,
            ) from error
        raise UncertainWriteError(
            f"{error}; re-reading the PSA could not tell: {found.evidence}",
            status=error.status,
            vendor_message=error.vendor_message,
        ) from error


def scope_of(change: Change, deployment: Deployment, sync_date: date) -> Scope:
    """What to read to see one licence again: its company, agreement and product only."""
    client = deployment.client(change.client_id)
    return Scope(
        sync_date=sync_date,
        tenant_ids=frozenset({change.client_id}),
        company_ids=frozenset({client.psa_company_id}) if client else frozenset(),
        agreement_ids=frozenset({change.agreement_id}),
        product_ids=frozenset({change.product_id}),
        full_run=False,
    )


def settle_interrupted(root: Path, journal: Journal, target: TargetProvider, deployment: Deployment) -> int:
    """Journal what became of the writes an earlier run sent but never journaled an answer
    for (it was killed mid-write): applied with the record found, or not applied. Runs under
    the apply lock, before the re-plan. Returns how many it settled."""
    settled = 0
    for entry in interrupted(scan_journal(root, last_bytes=RECENT_BYTES).entries):
        try:
            change = change_of(entry)
            day = date.fromisoformat(change.effective_date)
        except (KeyError, TypeError, ValueError) as error:  # damage the reader's checks let through
            log.warning("apply: interrupted write of run %s cannot be read back: %r", entry["run_id"], error)
            continue
        try:
            reading = target.read(scope_of(change, deployment, day))
        except ProviderError as error:
            log.warning("apply: interrupted write of run %s not settled: %s", entry["run_id"], error)
            continue
        try:
            found = confirm(change, reading)
        except (ArithmeticError, TypeError, ValueError) as error:  # a damaged value in the entry
            log.warning("apply: interrupted write of run %s cannot be compared: %r", entry["run_id"], error)
            continue
        what = f"sent by run {entry['run_id']}, which ended before it journaled the answer; re-reading the PSA: {found.evidence}"
        journal.record(change, outcome=found.outcome, record_id=found.record_id, note=what, resolves=entry["run_id"])
        settled += 1
    return settled


def _seats(change: Change, lines: list[PsaLine]) -> Confirmation:
    """A create or an adjustment: the seats the licence bills on the change's date."""
    day = date.fromisoformat(change.effective_date)
    billing = [ln for ln in lines if ln.kind != CHARGE]
    now = sum(ln.units_on(day) for ln in billing)
    if "units_in_force" in change.after:
        before, after = int(change.before.get("units_in_force", 0)), int(change.after["units_in_force"])
    else:
        before, after = 0, int(change.after.get("quantity", 0))
    said = f"the licence bills {now} seats on {day} (before the write {before}, after it {after})"
    if now == after and after != before:
        newest = max((ln for ln in billing if ln.active_on(day)), key=lambda ln: ln.id, default=None)
        record = newest.id if newest else None
        return Confirmation(APPLIED, record, f"{said}; line {record}")
    if now == before:
        return Confirmation(NOT_APPLIED, None, said)
    return Confirmation(UNKNOWN, None, said)


def _fields(change: Change, lines: list[PsaLine]) -> Confirmation:
    """A quantity, price or description write on one line: its fields now."""
    line = next((ln for ln in lines if ln.id == change.line_id), None)
    if line is None and change.line_id is None and len(lines) == 1:
        line = lines[0]  # a line made by the adjustment just before
    if line is None:
        return Confirmation(UNKNOWN, None, f"line {change.line_id} was not found")
    names = [n for n in change.after if _value(line, n) is not _MISSING]
    now = {n: _value(line, n) for n in names}
    said = ", ".join(f"{n} {now[n]}" for n in names) or "no comparable field"
    if names and all(_same(now[n], change.after[n]) for n in names):
        return Confirmation(APPLIED, line.id, f"line {line.id} has {said}")
    if names and all(n in change.before and _same(now[n], change.before[n]) for n in names):
        return Confirmation(NOT_APPLIED, None, f"line {line.id} still has {said}")
    return Confirmation(UNKNOWN, None, f"line {line.id} has {said}")


def _charge(change: Change, lines: list[PsaLine]) -> Confirmation:
    """A monthly copy of an invoice line: found by its key."""
    copies = [ln for ln in lines if ln.kind == CHARGE and ln.key == change.key]
    if copies:
        record = max(ln.id for ln in copies)
        return Confirmation(APPLIED, record, f"line {record} copies {change.key}")
    return Confirmation(NOT_APPLIED, None, f"no line copies {change.key}")


_MISSING = object()


def _value(line: PsaLine, name: str) -> Any:
    if name == "quantity":
        return line.spans[0].units if line.spans else _MISSING
    if name in ("unit_price", "unit_cost", "invoice_description", "description"):
        return getattr(line, name)
    return _MISSING


def _same(now: Any, wanted: Any) -> bool:
    if isinstance(now, Decimal):
        try:
            return now == Decimal(str(wanted))
        except InvalidOperation:
            return False
    if isinstance(now, int) and not isinstance(now, bool):
        return str(now) == str(wanted)
    return (now or "") == (wanted or "")
