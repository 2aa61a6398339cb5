"""`ncesync validate`: every problem in the specs at once, offline."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.exitcodes import OK, handles_errors
from reconciler.cli.options import deployment_dir
from reconciler.errors import ChecksFailedError
from reconciler.specs import validate_deployment


@click.command()
@deployment_dir
@click.option("--check-env", is_flag=True, help="Also fail when an env: secret variable is not set.")
@handles_errors
def validate(root: Path, check_env: bool) -> int:
    """Check the specs against their schemas and each other, without any network call."""
    files, problems = validate_deployment(root, environ=os.environ if check_env else None)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        n = len(problems)
        raise ChecksFailedError(f"{n} problem{'s' if n != 1 else ''} found.")
    n_products = len(files.products.data["products"])
    click.echo(f"specs OK: settings, {n_products} product mappings, {len(files.clients)} client mappings.")
    return OK
