"""`ncesync unlock`: tidy up apply locks. A live apply's lock is never broken.

Apply locks are OS-level (reconciler/apply/lock.py): they end with their process, so there is
nothing to break after a crash. What this command can still do is say who holds a lock now,
and remove lock files that no process holds (left by a killed apply; harmless, but noise).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.apply.lock import LOCKS, describe, holder, is_held
from reconciler.cli import options
from reconciler.cli.exitcodes import OK, handles_errors
from reconciler.errors import ChecksFailedError


@click.command()
@options.existing_deployment_dir
@click.option("--yes", is_flag=True, help="Do not ask before removing a lock file no process holds.")
@handles_errors
def unlock(root: Path, yes: bool) -> int:
    """Show who holds this deployment's apply locks; remove the files of ended applies."""
    locks = sorted((root / LOCKS).glob("*.lock"))
    live = 0
    for path in locks:
        if is_held(path):
            live += 1
            click.echo(
                f"{path}: held by a running apply: {describe(holder(path))}. It cannot be broken: it ends "
                "with that process (wait for it, or stop it)."
            )
            continue
        click.echo(f"{path}: left by an apply that ended ({describe(holder(path))}); no process holds it.")
        if yes or click.confirm("Remove the file?", default=True):
            path.unlink(missing_ok=True)
            click.echo("Removed.")
    if not locks:
        click.echo("No apply lock is held.")
    if live:
        raise ChecksFailedError("")  # the live holder is named above
    return OK
