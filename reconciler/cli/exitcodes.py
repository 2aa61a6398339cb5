"""Exit codes (architecture.md) and the one place errors become them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from reconciler.secrets import mask
from reconciler.errors import (
    ReconcilerError,
    SpecError,
    StalePlanError,
    UnsafePlanError,
)

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
    return ERROR


def handles_errors(command: F) -> F:
    """Turn a ReconcilerError into its message on stderr and its exit code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SpecError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            n = len(error.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} in the specs; nothing was read or written.", err=True)
            raise SystemExit(ERROR) from None
        except ReconcilerError as error:
            # Vendor error text is copied into messages: mask any secret it may echo back.
            click.echo(f"Error: {mask(str(error))}", err=True)
            raise SystemExit(code_for(error)) from None

    return wrapper  # type: ignore[return-value]
