"""`ncesync doctor`: read-only checks of the deployment against its live vendors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import OK, handles_errors
from reconciler.errors import ChecksFailedError, ReconcilerError
from reconciler.model import Check
from reconciler.run import doctor as checks
from reconciler.run.orchestrator import Orchestrator
from reconciler.run.runtime import today_in
from reconciler.secrets import mask


@click.command()
@options.deployment_dir
@options.sync_date
@handles_errors
def doctor(root: Path, sync_date: datetime | None) -> int:
    """Check, without changing anything, that ncesync can work here: credentials, the
    PSA's zone or site, API permissions, the mapped companies, agreements and products,
    and the request budget. One line per check with its fix; exit 0 only if all pass."""
    run = Orchestrator(root)
    day = sync_date.date() if sync_date else today_in(run.deployment.settings.timezone)
    try:
        with run.runtime(day) as runtime:
            found = checks.diagnose(runtime)
    except ReconcilerError as exc:  # a setting that cannot be used (an env: variable not set, ...)
        found = [Check("settings", False, str(exc), "fix specs/settings.yaml or the environment")]
    for check in found:
        click.echo(mask(check.line()))
    failed = sum(not c.ok for c in found)
    if failed:
        raise ChecksFailedError(f"{len(found) - failed} of {len(found)} checks passed.")
    click.echo(f"All {len(found)} checks passed.")
    return OK
