"""Entry point of the `ncesync` console script."""

import click

from reconciler.logs import configure

from reconciler.cli.apply import apply
from reconciler.cli.automap import automap
from reconciler.cli.describe import describe
from reconciler.cli.doctor import doctor
from reconciler.cli.journal import journal
from reconciler.cli.plan import plan
from reconciler.cli.report import report
from reconciler.cli.sandbox import sandbox
from reconciler.cli.schema import schema
from reconciler.cli.show import show
from reconciler.cli.unlock import unlock
from reconciler.cli.validate import validate


@click.group()
@click.version_option(package_name="ncesync")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning", show_default=True, help="Log detail on stderr.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="json: one JSON object per log line.")
def cli(log_level: str, log_format: str) -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""
    configure(level=log_level, fmt=log_format)


for command in (validate, plan, apply, show, journal, schema, unlock, report, automap, describe, doctor, sandbox):
    cli.add_command(command)


def main() -> None:
    cli()
