"""`ncesync apply`: make the PSA match, after a confirmation or from a reviewed plan file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click
from jsonschema.exceptions import best_match

from reconciler.apply import apply_plan
from reconciler.cli import options
from reconciler.cli.exitcodes import ERROR, OK, UNSAFE
from reconciler.cli.outcome import note, reports_outcome
from reconciler.billing import reason
from reconciler.cli.output import echo_failures, echo_plan, echo_refusals, echo_unsynced
from reconciler.cli.progress import Progress
from reconciler.errors import ConfigError
from reconciler.job import plan_run
from reconciler.journal import Journal
from reconciler.lock import ApplyLock
from reconciler.plan import Plan
from reconciler.run import run_id
from reconciler.runtime import Runtime, sync_date_for
from reconciler.specs import load_deployment
from reconciler.specs.schema import validator
from reconciler.staleness import ensure_current


def _saved_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        problem = best_match(validator("plan").iter_errors(data))
        if problem is not None:
            raise ValueError(problem.message)
        return Plan.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable ncesync plan file ({exc})") from exc


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
    saved = _saved_plan(planfile) if planfile else None
    day = date.fromisoformat(saved.sync_date) if saved else sync_date_for(deployment, sync_date)
    wanted = tuple(saved.scope.get("clients", ())) if saved and not saved.scope.get("full_run", True) else clients
    invoices = tuple(saved.scope.get("invoices", ())) if saved else invoices
    journal = Journal(Path(root), run_id())
    # The lock is taken before the re-plan: two applies must never both plan the same writes.
    progress = Progress(quiet=quiet)
    with Runtime(deployment, sync_date=day, parallelism=parallelism) as runtime, ApplyLock(Path(root), runtime.target.tenant_key(), journal.run_id):
        fresh = plan_run(runtime, wanted, invoices, progress=progress).plan
        if saved:
            ensure_current(saved, fresh)
        plan = saved or fresh
        note(plan=plan.to_json())
        echo_plan(plan.to_json(), "text")
        if fresh.refusals and not force:
            echo_refusals(fresh.to_json())
            raise SystemExit(UNSAFE)
        if not plan.changes:
            raise SystemExit(_unsynced(fresh))
        if not (auto_approve or saved) and not click.confirm("Apply these changes to the PSA?", default=False):
            click.echo("Nothing was written.", err=True)
            raise SystemExit(ERROR)
        target = progress.writes(runtime.target, plan.changes, fresh.clients)
        container = reason.container(runtime.target.kind)
        result = apply_plan(plan, target, journal, fail_fast=fail_fast)
        note(result=result)
    click.echo(f"Applied {len(result.applied)} of {len(plan.changes)} changes (run {journal.run_id}, journal {journal.path}).")
    echo_failures(result, fresh.clients, container)
    unsynced = _unsynced(fresh)
    raise SystemExit(OK if result.ok and unsynced == OK else ERROR)


def _unsynced(plan: Plan) -> int:
    """Licences the plan could not sync make the run fail, so a nightly job does not stay
    green while they wait for someone."""
    if plan.errors:
        echo_unsynced(plan.to_json())
        return ERROR
    return OK

