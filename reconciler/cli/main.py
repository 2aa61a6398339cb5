"""Entry point of the `ncesync` console script."""

import click

from reconciler.cli.apply import apply
from reconciler.cli.journal import journal
from reconciler.cli.plan import plan
from reconciler.cli.schema import schema
from reconciler.cli.show import show
from reconciler.cli.unlock import unlock
from reconciler.cli.validate import validate


@click.group()
@click.version_option(package_name="ncesync")
def cli() -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""


for command in (validate, plan, apply, show, journal, schema, unlock):
    cli.add_command(command)


def main() -> None:
    cli()
