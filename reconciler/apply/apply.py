"""Execute a plan through the target provider, journaling each write.

Writes go in the plan's (deterministic) order. Failures stay small (billing.md 7): a write
that fails affects only its own licence (one product on one agreement), whose later writes
in this run are skipped; every other licence, of that client too, goes on. Only what cannot
be per licence stops the run: the PSA refusing the credentials, `fail_fast`, or the circuit
breaker after `BREAKER` failed writes in a row (the vendor is down, not one record wrong).
Then nothing further is written and the journal says where the run stopped. A rerun
converges because it plans from a fresh read: only what is still missing is written again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from reconciler.provider import ChangeWriter, WriteResult
from reconciler.plan.change import Change
from reconciler.model.psa import PsaId
from reconciler.apply.confirmation import UNKNOWN, outcome_of
from reconciler.errors import ProviderError
from reconciler.apply.journal import Journal
from reconciler.secrets import mask
from reconciler.plan.plan import Plan

log = logging.getLogger(__name__)

BREAKER = 5  # failed writes in a row (across licences) that stop the run
AUTH_STATUSES = frozenset({401, 403})
LicenceKey = tuple[str, PsaId, str]  # (client, agreement, product)

NEXT_RUN_RETRIES = "plans this licence again from a fresh read; if the PSA refuses it again, fix what its message names"
NEXT_RUN_WITH_LICENCE = "plans it again with its licence"
NEXT_RUN_PLANS_IT = "plans it again"
NEXT_RUN_SETTLES = ("re-reads the PSA first: if this write happened after all it is journaled as applied "
                    "and not made again; if not, the licence is planned again")


@dataclass(frozen=True)
class Failure:
    """A change that was not written: what, why, and what the next run does about it."""

    change: Change
    why: str
    next_run: str
    attempted: bool  # False: skipped (its licence failed earlier, or the run stopped)


@dataclass
class ApplyResult:
    applied: list[tuple[Change, WriteResult]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before the end of the plan

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failed(self) -> list[Failure]:
        """Writes that were attempted and refused."""
        return [f for f in self.failures if f.attempted]

    @property
    def skipped(self) -> list[Failure]:
        return [f for f in self.failures if not f.attempted]


def licence_of(change: Change) -> LicenceKey:
    return (change.client_id, change.agreement_id, change.product_id)


def apply_plan(plan: Plan, target: ChangeWriter, journal: Journal, *, fail_fast: bool = False,
               breaker: int = BREAKER) -> ApplyResult:
    result = ApplyResult()
    failed_licences: dict[LicenceKey, str] = {}
    in_a_row = 0
    for index, change in enumerate(plan.changes):
        if result.stopped:
            _skip(result, journal, change, f"not attempted: {result.stopped}", NEXT_RUN_PLANS_IT)
            continue
        if licence_of(change) in failed_licences:
            why = f"not attempted: an earlier write of this licence failed ({failed_licences[licence_of(change)]})"
            _skip(result, journal, change, why, NEXT_RUN_WITH_LICENCE)
            continue
        try:
            written = target.write(change)
        except ProviderError as error:
            message = mask(str(error))
            log.warning("apply: client=%s agreement=%s product=%s action=%s failed=%s",
                        change.client_id, change.agreement_id, change.product_id, change.action, message)
            outcome = outcome_of(error)
            result.failures.append(Failure(change, message, _next_run(outcome), attempted=True))
            journal.record(change, outcome=outcome, error=message)
            failed_licences[licence_of(change)] = message
            in_a_row += 1
            result.stopped = _stop_reason(error, in_a_row, breaker, fail_fast)
            if result.stopped:
                journal.event("stopped", reason=result.stopped, after_change=index + 1,
                              not_attempted=len(plan.changes) - index - 1)
            continue
        in_a_row = 0
        result.applied.append((change, written))
        journal.record(change, outcome="applied", record_id=written.record_id, note=written.note or None)
    return result


def _skip(result: ApplyResult, journal: Journal, change: Change, why: str, next_run: str) -> None:
    result.failures.append(Failure(change, why, next_run, attempted=False))
    journal.record(change, outcome="skipped", error=why)


def _next_run(outcome: str) -> str:
    return NEXT_RUN_SETTLES if outcome == UNKNOWN else NEXT_RUN_RETRIES


def _stop_reason(error: ProviderError, in_a_row: int, breaker: int, fail_fast: bool) -> str | None:
    """Why a failure stops the whole run (None: it stays with its licence)."""
    if error.status in AUTH_STATUSES:
        return "the PSA refused the credentials; nothing more is written until they work"
    if fail_fast:
        return "--fail-fast stops at the first failure"
    if in_a_row >= breaker:
        return f"{in_a_row} writes failed in a row, so the PSA is taken to be failing (circuit breaker)"
    return None
