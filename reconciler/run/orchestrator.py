"""One orchestrator for every command: plan -> guards -> apply -> journal.

A command builds an `Orchestrator` for a deployment folder and asks it to `plan` (read the
source and the PSA, build the plan, check the guards) or to `apply` (the same under the
apply lock, then write and journal). Rendering and asking the user are the command's: it
hands `show` and `confirm` in. Everything that can end a run badly is a ReconcilerError
(see errors.py); the command returns its exit code when all went well.

The order of an apply: take the lock (two applies must never plan the same writes), settle
writes an interrupted run left unanswered, re-plan, compare with a saved plan, refuse an
unsafe plan, confirm, write in the plan's order through a target that re-reads a lost
answer, journal each write, then report what was not written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reconciler.apply.apply import ApplyResult, apply_plan
from reconciler.apply.confirmation import ConfirmingTarget, settle_interrupted
from reconciler.apply.interruption import Interrupted, StopRequest
from reconciler.apply.journal import Journal
from reconciler.apply.lock import ApplyLock
from reconciler.errors import (
    InterruptedRunError,
    NotConfirmedError,
    UnsafePlanError,
    UnsyncedError,
    WritesFailedError,
)
from reconciler.model import Deployment
from reconciler.plan.plan import Plan
from reconciler.plan.savedplan import check_fits, load_plan
from reconciler.plan.staleness import ensure_current
from reconciler.provider import Words
from reconciler.run.job import PlannedRun, plan_run
from reconciler.run.run_id import run_id
from reconciler.run.runtime import Runtime, sync_date_for
from reconciler.specs import load_deployment

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    """No progress lines."""


@dataclass
class Applied:
    """What an apply did: the plan written (`plan`), the fresh one it was checked against,
    the result of the writes, and where they are journaled."""

    plan: Plan
    fresh: Plan
    result: ApplyResult
    journal: Journal
    words: Words

    def check(self) -> None:
        """Raise when the run did not finish the job: writes not made, or licences the plan
        could not sync (a nightly job must not stay green while they wait for someone)."""
        if not self.result.ok:
            raise WritesFailedError("")  # the table of what was not written is the message
        if self.fresh.errors:
            raise UnsyncedError(len(self.fresh.errors))


def check_plan(plan: Plan, *, force: bool) -> None:
    """The guards refuse a plan (unless --force), and licences it cannot sync fail the run."""
    if plan.refusals and not force:
        raise UnsafePlanError(plan.refusals)
    if plan.errors:
        raise UnsyncedError(len(plan.errors))


class Orchestrator:
    def __init__(
        self, root: Path, *, parallelism: int | None = None, progress: Any = None, environ: dict[str, str] | None = None
    ):
        self.root = Path(root)
        self.deployment: Deployment = load_deployment(self.root)
        self.parallelism = parallelism
        self.progress = progress  # cli.progress.Progress-like: a callable, and .writes(...)
        self.environ = environ

    def sync_date(self, given: date | datetime | None) -> date:
        if isinstance(given, date) and not isinstance(given, datetime):
            return given
        return sync_date_for(self.deployment, given)

    def runtime(self, day: date) -> Runtime:
        return Runtime(self.deployment, sync_date=day, parallelism=self.parallelism, environ=self.environ)

    def plan(
        self, *, clients: tuple[str, ...] = (), invoices: tuple[str, ...] = (), sync_date: date | datetime | None = None
    ) -> PlannedRun:
        """Read and plan (no write); the guards' refusals are in `plan.refusals`."""
        with self.runtime(self.sync_date(sync_date)) as runtime:
            return plan_run(runtime, clients, invoices, progress=self.progress)

    def apply(
        self,
        *,
        planfile: Path | None = None,
        clients: tuple[str, ...] = (),
        invoices: tuple[str, ...] = (),
        sync_date: date | datetime | None = None,
        force: bool = False,
        fail_fast: bool = False,
        show: Callable[[Plan], None] = lambda _: None,
        confirm: Callable[[Plan], bool] = lambda _: True,
    ) -> Applied:
        saved = load_plan(planfile) if planfile else None
        if planfile and saved:
            check_fits(planfile, saved, self.deployment)
        day = date.fromisoformat(saved.sync_date) if saved else self.sync_date(sync_date)
        if saved and not saved.scope.get("full_run", True):
            clients = tuple(saved.scope.get("clients", ()))
        invoices = tuple(saved.scope.get("invoices", ())) if saved else invoices
        journal = Journal(self.root, run_id())
        stop = StopRequest()
        try:
            with (
                stop.installed(),
                self.runtime(day) as runtime,
                ApplyLock(self.root, runtime.target.tenant_key(), journal.run_id),
            ):
                settle_interrupted(self.root, journal, runtime.target, self.deployment)
                fresh = plan_run(runtime, clients, invoices, progress=self.progress).plan
                plan = self._approved(saved, fresh, force=force, show=show, confirm=confirm)
                target: Any = ConfirmingTarget(runtime.target, self.deployment, day, journal)  # re-reads a lost answer
                if self.progress is not None:
                    target = self.progress.writes(target, plan.changes, fresh.clients)
                result = apply_plan(plan, stop.between_writes(target), journal, fail_fast=fail_fast)
                stop.check()  # a signal during the last writes in flight: the run still ends as stopped
                return Applied(plan, fresh, result, journal, runtime.target.capabilities.words)
        except (Interrupted, KeyboardInterrupt) as stopped:
            raise _interrupted(stopped, journal) from None

    @staticmethod
    def _approved(
        saved: Plan | None, fresh: Plan, *, force: bool, show: Callable[[Plan], None], confirm: Callable[[Plan], bool]
    ) -> Plan:
        """The plan to write, once it is current, safe and confirmed; else the run ends here."""
        if saved:
            ensure_current(saved, fresh)
        plan = saved or fresh
        show(plan)
        if fresh.refusals and not force:
            raise UnsafePlanError(fresh.refusals)
        if not plan.changes:
            if fresh.errors:
                raise UnsyncedError(len(fresh.errors))
            return plan
        if not (saved or confirm(plan)):
            raise NotConfirmedError("Nothing was written.")
        return plan


def _interrupted(stopped: BaseException, journal: Journal) -> InterruptedRunError:
    why = str(stopped) if isinstance(stopped, Interrupted) else "Ctrl-C"
    code = stopped.exit_code if isinstance(stopped, Interrupted) else 130
    done = journal.counts["applied"]
    if not journal.counts["started"]:
        return InterruptedRunError(f"\nInterrupted ({why}) before any write; nothing was written.", code)
    return InterruptedRunError(
        f"\nInterrupted ({why}) after {done} write{'s' if done != 1 else ''} (run {journal.run_id}, "
        f"journal {journal.path}). Rerun apply to finish: it plans only what is still missing.",
        code,
        written=done,
    )
