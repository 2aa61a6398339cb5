"""`ncesync show PLANFILE`: render a saved plan again (text, json or markdown)."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.exitcodes import handles_errors
from reconciler.cli.output import echo_plan
from reconciler.plan.savedplan import plan_data


@click.command()
@click.argument("planfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.output_format
@handles_errors
def show(planfile: Path, fmt: str) -> None:
    """Show a plan saved with `plan --out`."""
    echo_plan(plan_data(planfile), fmt)
