"""`ncesync unlock`: break an apply lock whose holder died (after a confirmation)."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import ERROR, OK
from reconciler.lock import LOCKS, describe, holder


@click.command()
@options.deployment_dir
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def unlock(root: Path, yes: bool) -> None:
    """Remove the apply lock(s) of this deployment."""
    locks = sorted((root / LOCKS).glob("*.lock"))
    if not locks:
        click.echo("No apply lock is held.")
        raise SystemExit(OK)
    for path in locks:
        click.echo(f"{path}: held by {describe(holder(path))}")
        if yes or click.confirm("Break this lock? Only do so when that apply is no longer running", default=False):
            path.unlink(missing_ok=True)
            click.echo("Lock removed.")
        else:
            raise SystemExit(ERROR)
    raise SystemExit(OK)
