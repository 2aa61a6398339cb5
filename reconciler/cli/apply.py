"""`ncesync apply`: make the PSA match, after a confirmation or from a reviewed plan file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.outcome import note, reports_outcome
from reconciler.cli.output import echo_failures, echo_plan
from reconciler.cli.progress import Progress
from reconciler.plan.plan import Plan
from reconciler.run.orchestrator import Orchestrator


@click.command()
@click.argument("planfile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.deployment_dir
@options.clients
@options.invoices
@options.sync_date
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (nightly jobs, CI).")
@click.option("--fail-fast", is_flag=True, help="Stop all writes at the first failure.")
@options.force
@options.parallelism
@options.quiet
@reports_outcome("apply")
def apply(
    planfile: Path | None,
    root: Path,
    clients: tuple[str, ...],
    invoices: tuple[str, ...],
    sync_date: datetime | None,
    auto_approve: bool,
    fail_fast: bool,
    force: bool,
    parallelism: int | None,
    quiet: bool,
) -> int:
    """Write the plan's changes to the PSA and journal each one."""
    if planfile is not None:
        given = [
            name for name, value in (("--date", sync_date), ("--client", clients), ("--invoice", invoices)) if value
        ]
        if given:  # a saved plan carries its date, clients and invoices: what was reviewed
            raise click.UsageError(
                f"{', '.join(given)} cannot be used with a saved plan: it applies the date, clients and "
                "invoices it was made for (make another plan with `ncesync plan --out FILE` for others)"
            )
    run = Orchestrator(root, parallelism=parallelism, progress=Progress(quiet=quiet))
    note(deployment=run.deployment)

    def show(plan: Plan) -> None:
        note(plan=plan.to_json())
        echo_plan(plan.to_json(), "text")

    applied = run.apply(
        planfile=planfile,
        clients=clients,
        invoices=invoices,
        sync_date=sync_date,
        force=force,
        fail_fast=fail_fast,
        show=show,
        confirm=lambda _: auto_approve or _confirmed(),
    )
    note(plan=applied.fresh.to_json(), result=applied.result)
    if applied.plan.changes:
        click.echo(
            f"Applied {len(applied.result.applied)} of {len(applied.plan.changes)} changes "
            f"(run {applied.journal.run_id}, journal {applied.journal.path})."
        )
        echo_failures(applied.result, applied.fresh.clients, applied.words.agreement)
    applied.check()
    return 0


def _confirmed() -> bool:
    try:
        return click.confirm("Apply these changes to the PSA?", default=False)
    except click.Abort:  # end of input: no terminal (cron, CI) or the input was closed
        click.echo(
            "\nNo answer to the confirmation (no terminal to ask on, or the input ended). "
            "Nightly jobs use --auto-approve, or apply a reviewed plan file.",
            err=True,
        )
        return False
