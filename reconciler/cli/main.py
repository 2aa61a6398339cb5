"""Entry point of the `ncesync` console script."""

import logging

import click

from reconciler.cli import outcome
from reconciler.logs import configure
from reconciler.run import RUN_ID_VARIABLE, RunIdFilter, set_run_id

from reconciler.cli.apply import apply
from reconciler.cli.automap import automap
from reconciler.cli.describe import describe
from reconciler.cli.journal import journal
from reconciler.cli.plan import plan
from reconciler.cli.report import report
from reconciler.cli.sandbox import sandbox
from reconciler.cli.schema import schema
from reconciler.cli.show import show
from reconciler.cli.unlock import unlock
from reconciler.cli.validate import validate


@click.group()
@click.version_option(package_name="ncesync", prog_name="ncesync")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning", show_default=True, help="Log detail on stderr.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="json: one JSON object per log line.")
@click.option("--run-id", envvar=RUN_ID_VARIABLE, default=None, metavar="ID",
              help="This run's id in logs, the journal, the summary line and alerts (default: a new one).")
def cli(log_level: str, log_format: str, run_id: str | None) -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""
    configure(level=log_level, fmt=log_format)
    set_run_id(run_id)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RunIdFilter())
    outcome.LOG_FORMAT = log_format


for command in (validate, plan, apply, show, journal, schema, unlock, report, automap, describe, sandbox):
    cli.add_command(command)


def main() -> None:
    cli()
