"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

deployment_dir = click.option(
    "-C",
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The deployment folder holding specs/.",
)

clients = click.option(
    "--client",
    "clients",
    multiple=True,
    metavar="ID",
    help="Sync only this client (Dicker Data customer id or spec file name); repeatable.",
)

sync_date = click.option(
    "--date",
    "sync_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The sync date (default: today in the configured time zone).",
)

output_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)

force = click.option("--force", is_flag=True, help="Override the safety guards (see the plan's refusals).")

parallelism = click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="PSA requests in flight at once (default: psa.parallelism, else the provider's, "
    "within the vendor's limit).",
)

quiet = click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
