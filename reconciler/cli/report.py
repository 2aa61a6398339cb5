"""`ncesync report unmapped`: what Dicker Data bills that the specs do not map. Read-only."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import CHANGES, OK, handles_errors
from reconciler.job import plan_run
from reconciler.render.formats import render_template
from reconciler.runtime import Runtime, sync_date_for
from reconciler.specs import load_deployment
from reconciler.unmapped import unmapped_report

# Like --detailed-exitcode: 2 means "something to act on", so 1 still means "it failed".
FOUND_UNMAPPED = CHANGES
TEMPLATES = {"text": "unmapped.txt.j2", "markdown": "unmapped.md.j2"}


@click.group()
def report() -> None:
    """Reports about the deployment, read through the providers (nothing is written)."""


@report.command()
@options.deployment_dir
@options.sync_date
@options.output_format
@click.option("--fail-on-unmapped", is_flag=True, help="Exit 2 when anything is unmapped (for CI).")
@handles_errors
def unmapped(root: Path, sync_date: datetime | None, fmt: str, fail_on_unmapped: bool) -> None:
    """Dicker Data customers and stock codes without a mapping, with their seats."""
    deployment = load_deployment(root)
    day = sync_date_for(deployment, sync_date)
    with Runtime(deployment, sync_date=day) as runtime:
        planned = plan_run(runtime)  # a full run: unmapped customers are only listed then
    found = unmapped_report(planned.plan, planned.inventory)
    data = found.to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(render_template(TEMPLATES[fmt], report=data), nl=False)
    raise SystemExit(FOUND_UNMAPPED if fail_on_unmapped and not found.is_empty else OK)
