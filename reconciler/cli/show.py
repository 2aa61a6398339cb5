"""`ncesync show PLANFILE`: render a saved plan again (text, json or markdown)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from jsonschema.exceptions import best_match

from reconciler.cli import options
from reconciler.cli.exitcodes import handles_errors
from reconciler.cli.output import echo_plan
from reconciler.errors import ConfigError
from reconciler.specs.schema import validator


@click.command()
@click.argument("planfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.output_format
@handles_errors
def show(planfile: Path, fmt: str) -> None:
    """Show a plan saved with `plan --out`."""
    try:
        data = json.loads(planfile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{planfile}: not a readable plan file ({exc})") from exc
    problem = best_match(validator("plan").iter_errors(data))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "the top level"
        raise ConfigError(
            f"{planfile}: not an ncesync plan (at {where}: {problem.message}); "
            "make one with `ncesync plan --out FILE`"
        )
    echo_plan(data, fmt)
