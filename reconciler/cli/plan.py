"""`ncesync plan`: what apply would write, in seats and money. Read-only."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import CHANGES, ERROR, OK, UNSAFE
from reconciler.cli.outcome import note, reports_outcome
from reconciler.cli.output import echo_plan, echo_refusals, echo_unsynced
from reconciler.cli.progress import Progress
from reconciler.run.job import plan_run
from reconciler.run.runtime import Runtime, sync_date_for
from reconciler.specs import load_deployment


@click.command()
@options.deployment_dir
@options.clients
@click.option("--invoice", "invoices", multiple=True, metavar="NUMBER", help="Monthly sync: copy only this Dicker Data invoice; repeatable.")
@options.sync_date
@options.output_format
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan as JSON for `apply PLANFILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@options.force
@options.parallelism
@options.quiet
@reports_outcome("plan")
def plan(root: Path, clients: tuple[str, ...], invoices: tuple[str, ...], sync_date: datetime | None, fmt: str, out: Path | None, detailed_exitcode: bool, force: bool, parallelism: int | None, quiet: bool) -> None:
    """Show what apply would change in the PSA, and why."""
    deployment = load_deployment(root)
    note(deployment=deployment)
    day = sync_date_for(deployment, sync_date)
    with Runtime(deployment, sync_date=day, parallelism=parallelism) as runtime:
        planned = plan_run(runtime, clients, invoices, progress=Progress(quiet=quiet))
    data = planned.plan.to_json()
    note(plan=data)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)  # e.g. .ncesync/, the git-ignored run state
        out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        where = "" if root.resolve() == Path.cwd().resolve() else f" -C {root}"
        click.echo(f"Plan saved to {out}; apply it with: ncesync apply {out}{where}", err=True)
    echo_plan(data, fmt)
    if planned.plan.refusals and not force:
        echo_refusals(data)
        raise SystemExit(UNSAFE)
    if planned.plan.errors:
        echo_unsynced(data)
        raise SystemExit(ERROR)
    if detailed_exitcode and planned.plan.has_changes:
        raise SystemExit(CHANGES)
    raise SystemExit(OK)
