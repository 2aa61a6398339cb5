"""`ncesync plan`: what apply would write, in seats and money. Read-only."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from reconciler.apply.journal import JOURNAL
from reconciler.apply.lock import LOCKS
from reconciler.atomic import write_text_atomic
from reconciler.cli import options
from reconciler.cli.exitcodes import CHANGES, OK
from reconciler.cli.outcome import note, reports_outcome
from reconciler.cli.output import echo_plan
from reconciler.cli.progress import Progress
from reconciler.run.orchestrator import Orchestrator, check_plan


@click.command()
@options.deployment_dir
@options.clients
@options.invoices
@options.sync_date
@options.output_format
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan as JSON for `apply PLANFILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@options.force
@options.parallelism
@options.quiet
@reports_outcome("plan")
def plan(
    root: Path,
    clients: tuple[str, ...],
    invoices: tuple[str, ...],
    sync_date: datetime | None,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    force: bool,
    parallelism: int | None,
    quiet: bool,
) -> int:
    """Show what apply would change in the PSA, and why."""
    if out:
        _not_a_deployment_file(out, root)
    run = Orchestrator(root, parallelism=parallelism, progress=Progress(quiet=quiet))
    note(deployment=run.deployment)
    planned = run.plan(clients=clients, invoices=invoices, sync_date=sync_date).plan
    data = planned.to_json()
    note(plan=data)
    if out:
        # whole or not at all: a full disk never leaves half a plan where the last one was
        write_text_atomic(out, json.dumps(data, indent=2) + "\n")  # its folder made if need be
        where = "" if root.resolve() == Path.cwd().resolve() else f" -C {root}"
        click.echo(f"Plan saved to {out}; apply it with: ncesync apply {out}{where}", err=True)
    echo_plan(data, fmt)
    check_plan(planned, force=force)
    return CHANGES if detailed_exitcode and planned.has_changes else OK


# The deployment's own files, which a saved plan must never replace: the specs, the journal
# (the audit trail of every write), the sandbox's worlds and the apply locks.
OWN_FILES = (Path("specs"), JOURNAL, Path(".ncesync") / "world.json", Path("sandbox"), LOCKS)


def _not_a_deployment_file(out: Path, root: Path) -> None:
    target, base = out.resolve(), root.resolve()
    for own in OWN_FILES:
        mine = base / own
        if target == mine or mine in target.parents:
            raise click.BadParameter(
                f"{out} is the deployment's own {own}; save the plan elsewhere, for example .ncesync/plan.json",
                param_hint="--out",
            )
