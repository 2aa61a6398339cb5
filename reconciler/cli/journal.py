"""`ncesync journal`: what apply wrote, when, why, and the PSA record ids."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from reconciler.apply.journal import outcomes, scan_journal
from reconciler.cli import options
from reconciler.cli.exitcodes import handles_errors
from reconciler.cli.journal_lines import entry_lines, psa_provider
from reconciler.errors import ConfigError
from reconciler.specs import load_deployment


@click.command()
@options.existing_deployment_dir
@click.option("--client", "client", metavar="ID", help="Only this client (Dicker Data customer id or spec file name).")
@click.option("--since", type=options.CalendarDate(sync=False), help="Only entries on or after this day (UTC).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handles_errors
def journal(root: Path, client: str | None, since: datetime | None, fmt: str) -> None:
    """Show the apply journal of this deployment."""
    if client is not None:
        client = _customer_id(root, client)
    reading = scan_journal(root)
    for damage in reading.damaged:  # reported, not fatal: every other entry is still evidence
        click.echo(f"{reading.path}:{damage.line}: damaged line skipped ({damage.reason})", err=True)
    entries = [
        e
        for e in outcomes(reading.entries)
        if (client is None or e.get("client_id") == client)
        and (since is None or str(e["time"])[:10] >= since.date().isoformat())
    ]
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2))
        return
    if not entries:
        click.echo("No journal entries.")
        return
    psa = psa_provider(root)
    for e in entries:
        if "event" in e:  # about the run itself, e.g. where it stopped
            details = ", ".join(f"{k}: {v}" for k, v in sorted(e.items()) if k not in ("time", "run_id", "event"))
            click.echo(f"{e['time']} run {e['run_id']} {e['event']}: {details}")
            continue
        for line in entry_lines(e, psa):
            click.echo(line)


def _customer_id(root: Path, name: str) -> str:
    """The same names as --client elsewhere (customer id or spec file name), inactive
    mappings included: their history stays readable."""
    for mapping in load_deployment(root).clients:
        if name in (mapping.dd_customer_id, Path(mapping.file).stem):
            return mapping.dd_customer_id
    raise ConfigError(
        f"--client {name!r} names no client mapping (use the Dicker Data customer id or the file name in specs/clients/)"
    )
