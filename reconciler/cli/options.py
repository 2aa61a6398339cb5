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
