"""Exit codes (architecture.md) and the one place errors become them."""

from __future__ import annotations

import errno
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
        except OSError as error:
            if not refused_by_the_machine(error):
                raise  # a network error that no provider turned into its own: a bug, exit 70
            click.echo(f"Error: {mask(os_problem(error))}", err=True)
            raise SystemExit(ERROR) from None
        raise SystemExit(returned if isinstance(returned, int) else OK)

    return wrapper  # type: ignore[return-value]


_OS_HINTS = {
    errno.EACCES: "check that the user running ncesync may read and write there",
    errno.EPERM: "check that the user running ncesync may read and write there",
    errno.EROFS: "the file system is read-only; run from a writable copy of the deployment",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EEXIST: "a file is in the way of a folder ncesync keeps there; move it aside",
    errno.ENOTDIR: "a file is in the way of a folder ncesync keeps there; move it aside",
    errno.EISDIR: "a folder is in the way of a file ncesync keeps there; move it aside",
}


def refused_by_the_machine(error: OSError) -> bool:
    """A file or folder the operating system refused (it names the path, or says why in a
    way only a file system does: permissions, a full disk), not a socket or HTTP error."""
    return error.filename is not None or error.errno in _OS_HINTS


def os_problem(error: OSError) -> str:
    """What the operating system refused, where, and what to do about it."""
    where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name)
    what = error.strerror or str(error) or type(error).__name__
    hint = _OS_HINTS.get(error.errno or 0, "check the path and run again")
    return f"{where}: {what}; {hint}" if where else f"{what}; {hint}"
