"""The exception tree. The CLI maps each class to an exit code in one place (cli/exitcodes.py).

Every way a command fails is one of these: a user's mistake (SpecError, ConfigError), a
vendor's answer (ProviderError), a safety guard (UnsafePlanError, exit 3), a stale saved plan
(StalePlanError, exit 4), a run that ended with work it could not do (UnsyncedError,
WritesFailedError, ChecksFailedError), or a signal (InterruptedRunError, 130/143). A
command that succeeds returns its exit code (0, or 2 for "changes present")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ReconcilerError(Exception):
    """Root of every error ncesync raises on purpose. Messages are meant for the user."""

    prefix = "Error: "  # how the CLI introduces the message


@dataclass(frozen=True)
class Problem:
    """One located problem in a spec or input file: `file:line:column: /pointer: message`."""

    file: str
    line: int
    column: int
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.pointer or '/'}: {self.message}"


class SpecError(ReconcilerError):
    """The deployment's specs are invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(ReconcilerError):
    """A setting cannot be used at run time (e.g. an `env:` variable that is not set)."""


class ProviderError(ReconcilerError):
    """A vendor API call failed. `status` is the HTTP status (None for network errors)."""

    def __init__(self, message: str, *, status: int | None = None, vendor_message: str = ""):
        self.status = status
        self.vendor_message = vendor_message
        super().__init__(message)


class UncertainWriteError(ProviderError):
    """A write was sent but its outcome is unknown: the answer was lost or timed out, or it
    came without the new record's id. The PSA may hold the write; re-read before deciding.
    `settle_after`: seconds the vendor may still be working on it (a timed-out request)."""

    def __init__(self, message: str, *, status: int | None = None, vendor_message: str = "", settle_after: float = 0.0):
        super().__init__(message, status=status, vendor_message=vendor_message)
        self.settle_after = settle_after


class SourceError(ProviderError):
    """The source of truth could not be read completely. Never to be read as zero seats."""


class UnsafePlanError(ReconcilerError):
    """A safety guard refused the plan (exit 3 unless --force); the message lists them."""

    prefix = ""  # the message is the whole text, not an "Error:"

    def __init__(self, refusals: Sequence[Any]):
        self.refusals = refusals  # plan.Refusal: guard, message
        lines = [f"  [{r.guard}] {r.message}" for r in refusals]
        super().__init__("\n".join(["Refused by the safety guards (use --force to override after checking):", *lines]))


class StalePlanError(ReconcilerError):
    """A saved plan no longer matches the inputs (exit 4)."""


class LockHeldError(ReconcilerError):
    """Another apply holds the lock for this PSA tenant."""


class UnsyncedError(ReconcilerError):
    """The plan has licences it cannot sync (its errors), so the run fails until someone
    fixes them: a nightly job must not stay green while they wait."""

    prefix = ""

    def __init__(self, count: int):
        self.count = count
        super().__init__(
            f"{count} licence{'s' if count != 1 else ''} cannot be synced until fixed "
            "(errors above); everything else was planned normally."
        )


class WritesFailedError(ReconcilerError):
    """An apply ended with changes not written (the table above says which and why)."""

    prefix = ""


class NotConfirmedError(ReconcilerError):
    """The person asked to confirm an apply did not (or could not) say yes."""

    prefix = ""


class ChecksFailedError(ReconcilerError):
    """A command that checks things (validate, doctor, unlock) found some that fail; they
    were listed above."""

    prefix = ""


class InterruptedRunError(ReconcilerError):
    """The run was stopped by a signal; `exit_code` is 128 + the signal, as shells report it,
    and `written` the writes made before it stopped (the journal's applied entries)."""

    prefix = ""

    def __init__(self, message: str, exit_code: int, written: int = 0):
        self.exit_code = exit_code
        self.written = written
        super().__init__(message)
