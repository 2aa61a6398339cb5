"""`ncesync report unmapped`: what Dicker Data bills that the specs do not map. Read-only."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import CHANGES, OK, handles_errors
from reconciler.report.margin import margin_report
from reconciler.report.render.csvtable import csv_text
from reconciler.report.render.formats import render_template
from reconciler.report.unmapped import unmapped_report
from reconciler.run.orchestrator import Orchestrator

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
def unmapped(root: Path, sync_date: datetime | None, fmt: str, fail_on_unmapped: bool) -> int:
    """Dicker Data customers and stock codes without a mapping, with their seats."""
    planned = Orchestrator(root).plan(sync_date=sync_date)  # a full run: unmapped customers are listed then
    found = unmapped_report(planned.plan, planned.inventory)
    data = found.to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(render_template(TEMPLATES[fmt], report=data), nl=False)
    return FOUND_UNMAPPED if fail_on_unmapped and not found.is_empty else OK


MARGIN_TEMPLATES = {"text": "margin.txt.j2", "markdown": "margin.md.j2"}
MARGIN_COLUMNS = (
    "client_id",
    "client_name",
    "product_key",
    "product_name",
    "agreement_id",
    "seats",
    "psa_seats",
    "unit_cost",
    "unit_price",
    "billed",
    "margin",
    "margin_percent",
    "flag",
)


@report.command()
@options.deployment_dir
@options.clients
@options.sync_date
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown", "csv"]), default="text", show_default=True
)
@click.option(
    "--min-margin-percent",
    type=float,
    default=None,
    metavar="PERCENT",
    help="Flag margins below this share of the price (default: review.min_margin_percent, else 0).",
)
@handles_errors
def margin(
    root: Path, clients: tuple[str, ...], sync_date: datetime | None, fmt: str, min_margin_percent: float | None
) -> int:
    """Per client and licence: Dicker Data's cost, the PSA's price, seats, monthly margin and
    margin %; negative and low margins flagged."""
    run = Orchestrator(root)
    request = run.plan(clients=clients, sync_date=sync_date).request
    deployment = run.deployment
    threshold = deployment.settings.review.min_margin_percent
    if min_margin_percent is not None:
        threshold = Decimal(str(min_margin_percent))
    data = margin_report(request, threshold=threshold).to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    elif fmt == "csv":
        click.echo(csv_text(MARGIN_COLUMNS, data["licences"]), nl=False)
    else:
        click.echo(render_template(MARGIN_TEMPLATES[fmt], report=data), nl=False)
    return OK
