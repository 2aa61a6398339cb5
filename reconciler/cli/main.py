"""Entry point of the `ncesync` console script."""

import click

from reconciler.cli.schema import schema
from reconciler.cli.validate import validate


@click.group()
@click.version_option(package_name="ncesync")
def cli() -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""


cli.add_command(validate)
cli.add_command(schema)


def main() -> None:
    cli()
