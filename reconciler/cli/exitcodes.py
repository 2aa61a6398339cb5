"""Exit codes (architecture.md) and the one place errors become them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from reconciler.errors import (
    InterruptedRunError,
    ReconcilerError,
    SpecError,
    StalePlanError,
    UnsafePlanError,
)
from reconciler.secrets import mask

OK = 0
ERROR = 1
CHANGES = 2  # with --detailed-exitcode
UNSAFE = 3
STALE = 4
USAGE = 64  # EX_USAGE: a bad option or argument (click's own 2 would read as "changes present")
INTERNAL = 70  # EX_SOFTWARE: a bug in ncesync, reported in one line
INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C (143 for SIGTERM, see reconciler/apply/interruption.py)

F = TypeVar("F", bound=Callable[..., Any])


def code_for(error: ReconcilerError) -> int:
    if isinstance(error, UnsafePlanError):
        return UNSAFE
    if isinstance(error, StalePlanError):
        return STALE
    if isinstance(error, InterruptedRunError):
        return error.exit_code
    return ERROR


def handles_errors(command: F) -> F:
    """The one place a command's end becomes an exit code: the command returns its code when
    it succeeds (0, or 2 for changes present); a ReconcilerError becomes its message on
    stderr and its code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            returned = command(*args, **kwargs)
        except SpecError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            n = len(error.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} in the specs; nothing was read or written.", err=True)
            raise SystemExit(ERROR) from None
        except ReconcilerError as error:
            # Vendor error text is copied into messages: mask any secret it may echo back.
            if str(error):
                click.echo(f"{error.prefix}{mask(str(error))}", err=True)
            raise SystemExit(code_for(error)) from None
        raise SystemExit(returned if isinstance(returned, int) else OK)

    return wrapper  # type: ignore[return-value]
