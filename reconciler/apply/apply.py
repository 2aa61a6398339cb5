"""Execute a plan through the target provider, journaling each write.

Writes go in the plan's (deterministic) order. Failures stay small (billing.md 7): a write
that fails affects only its own licence (one product on one agreement), whose later writes
in this run are skipped; every other licence, of that client too, goes on. Only what cannot
be per licence stops the run: the PSA refusing the credentials, `fail_fast`, or the circuit
breaker after `BREAKER` failed writes in a row (the vendor is down, not one record wrong).
Then nothing further is written and the journal says where the run stopped. A rerun
converges because it plans from a fresh read: only what is still missing is written again.

A target whose `write_parallelism` is above 1 is written from that many threads at once:
each licence's writes still go in the plan's order, one after the other, and the first
write of every licence is sent before the second of any (a queue in the order writes become
ready), so that, say, records a PSA creates with the first writes can be looked up
together for their descriptions. Once the run stops, the writes in flight finish and are
journaled; none is started after. `fail_fast` writes one at a time: its first failure is the
last write.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from reconciler.apply.confirmation import UNKNOWN, outcome_of
from reconciler.apply.journal import Journal
from reconciler.errors import ProviderError
from reconciler.model.psa import PsaId
from reconciler.plan.change import Change
from reconciler.plan.plan import Plan
from reconciler.provider import ChangeWriter, WriteResult
from reconciler.secrets import mask

log = logging.getLogger(__name__)

BREAKER = 5  # failed writes in a row (across licences) that stop the run
AUTH_STATUSES = frozenset({401, 403})
LicenceKey = tuple[str, PsaId, str]  # (client, agreement, product)

NEXT_RUN_RETRIES = "plans this licence again from a fresh read; if the PSA refuses it again, fix what its message names"
NEXT_RUN_WITH_LICENCE = "plans it again with its licence"
NEXT_RUN_PLANS_IT = "plans it again"
NEXT_RUN_SETTLES = (
    "re-reads the PSA first: if this write happened after all it is journaled as applied "
    "and not made again; if not, the licence is planned again"
)


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


def apply_plan(
    plan: Plan, target: ChangeWriter, journal: Journal, *, fail_fast: bool = False, breaker: int = BREAKER
) -> ApplyResult:
    run = _Run(plan, target, journal, fail_fast=fail_fast, breaker=breaker)
    # --fail-fast means no write after the first failure, not even one already under way
    width = 1 if fail_fast else int(getattr(target, "write_parallelism", 1) or 1)
    if width > 1 and len(plan.changes) > 1:
        _side_by_side(run, width)
        return run.result
    for index, change in enumerate(plan.changes):
        if run.result.stopped:
            _skip(run.result, journal, change, f"not attempted: {run.result.stopped}", NEXT_RUN_PLANS_IT)
            continue
        if licence_of(change) in run.failed_licences:
            _skip(run.result, journal, change, run.after_failure(change), NEXT_RUN_WITH_LICENCE)
            continue
        try:
            written = target.write(change)
        except ProviderError as error:
            run.failed(change, error, attempted=index + 1, in_flight=0)
            continue
        run.applied(change, written)
    return run.result


class _Run:
    """What a run has written and refused so far, and whether it must stop."""

    def __init__(self, plan: Plan, target: ChangeWriter, journal: Journal, *, fail_fast: bool, breaker: int):
        self.plan, self.target, self.journal = plan, target, journal
        self.fail_fast, self.breaker = fail_fast, breaker
        self.result = ApplyResult()
        self.failed_licences: dict[LicenceKey, str] = {}
        self.in_a_row = 0

    def applied(self, change: Change, written: WriteResult) -> None:
        self.in_a_row = 0
        self.result.applied.append((change, written))
        self.journal.record(change, outcome="applied", record_id=written.record_id, note=written.note or None)

    def failed(self, change: Change, error: ProviderError, *, attempted: int, in_flight: int) -> None:
        """A refused write; `attempted`: writes sent so far, this one included."""
        message = mask(str(error))
        log.warning(
            "apply: client=%s agreement=%s product=%s action=%s failed=%s",
            change.client_id,
            change.agreement_id,
            change.product_id,
            change.action,
            message,
        )
        outcome = outcome_of(error)
        self.result.failures.append(Failure(change, message, _next_run(outcome), attempted=True))
        self.journal.record(change, outcome=outcome, error=message)
        self.failed_licences[licence_of(change)] = message
        self.in_a_row += 1
        if self.result.stopped:
            return
        self.result.stopped = _stop_reason(error, self.in_a_row, self.breaker, self.fail_fast)
        if self.result.stopped:
            self.journal.event(
                "stopped",
                reason=self.result.stopped,
                after_change=attempted,
                not_attempted=len(self.plan.changes) - attempted - in_flight,
            )

    def after_failure(self, change: Change) -> str:
        return f"not attempted: an earlier write of this licence failed ({self.failed_licences[licence_of(change)]})"


def _side_by_side(run: _Run, width: int) -> None:
    """The plan's writes from `width` threads, each licence's in order (see the module doc)."""
    changes = run.plan.changes
    waiting: dict[LicenceKey, deque[int]] = defaultdict(deque)
    for index, change in enumerate(changes):
        waiting[licence_of(change)].append(index)
    ready = deque(queue.popleft() for queue in waiting.values())
    in_flight: dict[Future[WriteResult], int] = {}
    attempted = 0
    interrupted: BaseException | None = None
    pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="apply")
    try:
        while ready or in_flight:
            while ready and len(in_flight) < width and not run.result.stopped and interrupted is None:
                index = ready.popleft()
                in_flight[pool.submit(run.target.write, changes[index])] = index
                attempted += 1
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: in_flight[f]):
                index = in_flight.pop(future)
                change, licence = changes[index], licence_of(changes[index])
                try:
                    written = future.result()
                except ProviderError as error:
                    run.failed(change, error, attempted=attempted, in_flight=len(in_flight))
                    for later in waiting.pop(licence, ()):
                        _skip(
                            run.result,
                            run.journal,
                            changes[later],
                            run.after_failure(changes[later]),
                            NEXT_RUN_WITH_LICENCE,
                        )
                    continue
                except BaseException as stop:
                    interrupted = interrupted or stop
                    continue
                run.applied(change, written)
                if waiting.get(licence):
                    ready.append(waiting[licence].popleft())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # a second signal: stop at once
        raise
    pool.shutdown(wait=True)
    if interrupted is not None:
        raise interrupted
    for index in sorted([*ready, *(i for queue in waiting.values() for i in queue)]):
        _skip(run.result, run.journal, changes[index], f"not attempted: {run.result.stopped}", NEXT_RUN_PLANS_IT)


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
