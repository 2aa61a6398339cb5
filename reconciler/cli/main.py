"""Entry point of the `ncesync` console script."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import sys
from typing import Any

import click

from reconciler.cli.exitcodes import ERROR, INTERNAL, INTERRUPTED, USAGE
from reconciler.logs import configure
from reconciler.run.plugins import plugin_commands
from reconciler.run.run_id import RUN_ID_VARIABLE, RunIdFilter, set_run_id
from reconciler.secrets import mask

TRACEBACK_VARIABLE = "NCESYNC_TRACEBACK"  # set to 1 to see an internal error's traceback


RUN_ID = re.compile(r"[!-~]{1,128}")  # printable ASCII without spaces: one word on one line


def _one_word(value: str | None) -> str | None:
    """A run id goes into every log line and the summary line: a line break would forge one."""
    if value is not None and not RUN_ID.fullmatch(value):
        raise click.BadParameter("must be one word of printable ASCII, at most 128 characters", param_hint="--run-id")
    return value


# ncesync's own commands, each imported when it runs: a command loads only what it needs
# (`sandbox serve` needs none of the planner), and ncesync starts once per cron job and
# many times in the suite. Plug-ins add theirs through entry points.
COMMANDS = {
    name: f"reconciler.cli.{name}:{name}"
    for name in (
        "validate",
        "plan",
        "apply",
        "show",
        "journal",
        "schema",
        "unlock",
        "report",
        "automap",
        "describe",
        "doctor",
    )
}


class Ncesync(click.Group):
    """The command group, with ncesync's own ending for what click would end itself:
    usage errors exit 64 (EX_USAGE), because 2 means "changes present" to
    `plan --detailed-exitcode`; Ctrl-C or an unanswerable question is said in words, not "Aborted!";
    and an unexpected error is one line, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, _, name = where.partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            returned = super().main(*args, **kwargs)
        except click.UsageError as error:
            error.show()
            sys.exit(USAGE)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort as error:
            if isinstance(error.__cause__, KeyboardInterrupt):
                click.echo("Interrupted (Ctrl-C).", err=True)
                sys.exit(INTERRUPTED)
            click.echo("Stopped at a question with no answer (Ctrl-C, or no terminal to answer it on).", err=True)
            sys.exit(ERROR)
        except Exception as error:
            if os.environ.get(TRACEBACK_VARIABLE) == "1":
                raise
            click.echo(
                f"Internal error (a bug in ncesync; please report it): {type(error).__name__}: {mask(str(error))}",
                err=True,
            )
            sys.exit(INTERNAL)
        sys.exit(returned if isinstance(returned, int) else 0)


@click.group(cls=Ncesync)
@click.version_option(package_name="ncesync", prog_name="ncesync")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Log detail on stderr.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per log line.",
)
@click.option(
    "--run-id",
    envvar=RUN_ID_VARIABLE,
    default=None,
    metavar="ID",
    callback=lambda _ctx, _param, value: _one_word(value),
    help="This run's id in logs, the journal, the summary line and alerts (default: a new one).",
)
def cli(log_level: str, log_format: str, run_id: str | None) -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""
    configure(level=log_level, fmt=log_format)
    set_run_id(run_id)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RunIdFilter())


for command in plugin_commands():
    cli.add_command(command)


def main() -> None:
    _output_never_fails_on_a_character()
    cli()


def _output_never_fails_on_a_character() -> None:
    """A terminal or pipe whose encoding cannot write a character ncesync prints (a client
    named "Kōrero Ltd" on a Latin-1 console, the plan's "→") shows it as a \\u escape
    instead of stopping the command halfway with an error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change stays as it is
                reconfigure(errors="backslashreplace")
