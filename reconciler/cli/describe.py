"""`ncesync describe --client ID`: preview the invoice description of each of a client's licences."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import OK, handles_errors
from reconciler.errors import ConfigError
from reconciler.model.specs import DAILY
from reconciler.report.preview import preview
from reconciler.report.render.formats import render_template
from reconciler.run.job import select_clients
from reconciler.run.orchestrator import Orchestrator


@click.command()
@options.deployment_dir
@click.option("--client", "client_ref", required=True, metavar="ID", help="Dicker Data customer id or spec file name.")
@options.sync_date
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handles_errors
def describe(root: Path, client_ref: str, sync_date: datetime | None, fmt: str) -> int:
    """Render the client's invoice description template for each of its licences, with the
    seat counts Dicker Data has now. Read-only."""
    run = Orchestrator(root)
    if run.deployment.settings.sync_type != DAILY:
        raise ConfigError("invoice descriptions are templated in daily sync only; monthly sync writes a fixed text")
    [client] = select_clients(run.deployment, (client_ref,))
    found = preview(run.plan(clients=(client_ref,), sync_date=sync_date).request, client)
    if fmt == "json":
        click.echo(json.dumps(found.to_json(), indent=2, default=str))
    else:
        click.echo(render_template("describe.txt.j2", p=found.to_json()), nl=False)
    return OK
