"""`ncesync automap`: propose client mappings for unmapped Dicker Data customers by name."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import OK, handles_errors
from reconciler.errors import ConfigError
from reconciler.report import automap as matcher
from reconciler.report.render.formats import render_template
from reconciler.report.unmapped import unmapped_report
from reconciler.run.job import plan_run
from reconciler.run.orchestrator import Orchestrator


@click.command()
@options.deployment_dir
@options.sync_date
@click.option("--write", is_flag=True, help="Write each proposal to specs/clients/ for review (never replaces a file).")
@handles_errors
def automap(root: Path, sync_date: datetime | None, write: bool) -> int:
    """Propose client mappings: unmapped Dicker Data customers whose normalised name matches
    exactly one PSA company with one active agreement."""
    run = Orchestrator(root)
    day = run.sync_date(sync_date)
    with run.runtime(day) as runtime:
        planned = plan_run(runtime)  # the plan's own list of unmapped customers
        try:
            companies = runtime.target.companies()
        except NotImplementedError as exc:
            raise ConfigError(str(exc)) from None
        psa = runtime.target.name
    customers = unmapped_report(planned.plan, planned.inventory).customers
    result = matcher.propose(customers, companies, run.deployment)
    click.echo(render_template("automap.txt.j2", automap=result.to_json(), psa=psa), nl=False)
    if write and result.proposals:
        for path in matcher.write(root, result.proposals, today=day, psa=psa):
            click.echo(f"wrote {os.path.relpath(path)}")
        click.echo("Review the new files, run `ncesync validate` and `ncesync plan`, then open a pull request.")
    elif result.proposals:
        click.echo("Nothing was written; run again with --write to create the files for review.")
    return OK
