"""`ncesync apply`: make the PSA match, after a confirmation or from a reviewed plan file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from reconciler.apply import ApplyResult, apply_plan
from reconciler.cli import options
from reconciler.cli.exitcodes import ERROR, OK, UNSAFE
from reconciler.cli.outcome import note, reports_outcome
from reconciler.billing import reason
from reconciler.cli.output import echo_failures, echo_plan, echo_refusals, echo_unsynced
from reconciler.cli.progress import Progress
from reconciler.confirmation import ConfirmingTarget, settle_interrupted
from reconciler.interruption import Interrupted, StopRequest
from reconciler.job import plan_run
from reconciler.journal import Journal
from reconciler.lock import ApplyLock
from reconciler.plan import Plan
from reconciler.run import run_id
from reconciler.runtime import Runtime, sync_date_for
from reconciler.savedplan import check_fits, load_plan
from reconciler.specs import load_deployment
from reconciler.staleness import ensure_current


@click.command()
@click.argument("planfile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.deployment_dir
@options.clients
@click.option("--invoice", "invoices", multiple=True, metavar="NUMBER", help="Monthly sync: copy only this Dicker Data invoice; repeatable.")
@options.sync_date
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (nightly jobs, CI).")
@click.option("--fail-fast", is_flag=True, help="Stop all writes at the first failure.")
@options.force
@options.parallelism
@options.quiet
@reports_outcome("apply")
def apply(planfile: Path | None, root: Path, clients: tuple[str, ...], invoices: tuple[str, ...], sync_date: datetime | None, auto_approve: bool, fail_fast: bool, force: bool, parallelism: int | None, quiet: bool) -> None:
    """Write the plan's changes to the PSA and journal each one."""
    deployment = load_deployment(root)
    note(deployment=deployment)
    saved = load_plan(planfile) if planfile else None
    if planfile and saved:
        check_fits(planfile, saved, deployment)
    day = date.fromisoformat(saved.sync_date) if saved else sync_date_for(deployment, sync_date)
    wanted = tuple(saved.scope.get("clients", ())) if saved and not saved.scope.get("full_run", True) else clients
    invoices = tuple(saved.scope.get("invoices", ())) if saved else invoices
    journal = Journal(Path(root), run_id())
    progress, stop = Progress(quiet=quiet), StopRequest()
    try:
        # The lock is taken before the re-plan: two applies must never both plan the same writes.
        with stop.installed(), Runtime(deployment, sync_date=day, parallelism=parallelism) as runtime, \
                ApplyLock(Path(root), runtime.target.tenant_key(), journal.run_id):
            settle_interrupted(Path(root), journal, runtime.target, deployment)
            fresh = plan_run(runtime, wanted, invoices, progress=progress).plan
            note(plan=fresh.to_json())
            plan = _approved(saved, fresh, force=force, auto_approve=auto_approve)
            confirming = ConfirmingTarget(runtime.target, deployment, day, journal)  # re-reads a lost answer
            target = stop.between_writes(progress.writes(confirming, plan.changes, fresh.clients))  # type: ignore[arg-type]
            result = apply_plan(plan, target, journal, fail_fast=fail_fast)
            stop.check()  # a signal during the last writes in flight: the run still ends as stopped
            note(result=result)
            container = reason.container(runtime.target.kind)
    except (Interrupted, KeyboardInterrupt) as stopped:
        raise SystemExit(_interrupted(stopped, journal)) from None
    _report(result, plan, fresh, journal, container)
    raise SystemExit(OK if result.ok and _unsynced(fresh) == OK else ERROR)


def _approved(saved: Plan | None, fresh: Plan, *, force: bool, auto_approve: bool) -> Plan:
    """The plan to write, once it is current, safe and confirmed; else the run ends here."""
    if saved:
        ensure_current(saved, fresh)
    plan = saved or fresh
    echo_plan(plan.to_json(), "text")
    if fresh.refusals and not force:
        echo_refusals(fresh.to_json())
        raise SystemExit(UNSAFE)
    if not plan.changes:
        raise SystemExit(_unsynced(fresh))
    if not (auto_approve or saved) and not _confirmed():
        click.echo("Nothing was written.", err=True)
        raise SystemExit(ERROR)
    return plan


def _confirmed() -> bool:
    try:
        return click.confirm("Apply these changes to the PSA?", default=False)
    except click.Abort:  # end of input: no terminal (cron, CI) or the input was closed
        click.echo("\nNo answer to the confirmation (no terminal to ask on, or the input ended). "
                   "Nightly jobs use --auto-approve, or apply a reviewed plan file.", err=True)
        return False


def _interrupted(stopped: BaseException, journal: Journal) -> int:
    why = str(stopped) if isinstance(stopped, Interrupted) else "Ctrl-C"
    done = journal.counts["applied"]
    if not journal.counts["started"]:
        click.echo(f"\nInterrupted ({why}) before any write; nothing was written.", err=True)
    else:
        click.echo(f"\nInterrupted ({why}) after {done} write{'s' if done != 1 else ''} "
                   f"(run {journal.run_id}, journal {journal.path}). Rerun apply to finish: it plans only "
                   "what is still missing.", err=True)
    return stopped.exit_code if isinstance(stopped, Interrupted) else 130


def _report(result: ApplyResult, plan: Plan, fresh: Plan, journal: Journal, container: str) -> None:
    click.echo(f"Applied {len(result.applied)} of {len(plan.changes)} changes (run {journal.run_id}, journal {journal.path}).")
    echo_failures(result, fresh.clients, container)


def _unsynced(plan: Plan) -> int:
    """Licences the plan could not sync make the run fail, so a nightly job does not stay
    green while they wait for someone."""
    if plan.errors:
        echo_unsynced(plan.to_json())
        return ERROR
    return OK
