"""How a scheduled command ends: one summary line on stderr, and the alerts.

`reports_outcome` wraps `plan` and `apply` (it also maps errors to exit codes, through
`handles_errors`). The command notes what it learned on the way (the deployment, the plan,
the apply result); whatever way the command ends (success, an exit code, an error, a bug),
the wrapper prints one line a scheduler's log shows last, and `apply` tells the `notify:`
channels. A notification that fails is logged by the notifier and changes nothing here.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import click

from reconciler.apply.apply import ApplyResult
from reconciler.cli.exitcodes import (
    CHANGES,
    INTERNAL,
    INTERRUPTED,
    OK,
    UNSAFE,
    USAGE,
    handles_errors,
    os_problem,
    refused_by_the_machine,
)
from reconciler.errors import InterruptedRunError, ReconcilerError
from reconciler.logs import configured_format
from reconciler.model import Deployment
from reconciler.money import signed_money
from reconciler.report.notify import notify
from reconciler.run.plugins import words_of
from reconciler.run.run_id import run_id
from reconciler.secrets import mask

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

STATUS = {OK: "ok", CHANGES: "ok, changes present", UNSAFE: "refused by the safety guards"}


@dataclass
class Outcome:
    command: str
    started: float = field(default_factory=time.monotonic)
    deployment: Deployment | None = None
    plan: dict[str, Any] | None = None
    result: ApplyResult | None = None
    written: int = 0  # writes made by a run stopped before its result (a signal)
    error: str | None = None
    code: int = OK


_current: ContextVar[Outcome | None] = ContextVar("ncesync_outcome", default=None)


def note(**facts: Any) -> None:
    """Record what the running command knows (deployment=, plan=, result=)."""
    outcome = _current.get()
    if outcome is not None:
        for name, value in facts.items():
            setattr(outcome, name, value)


def reports_outcome(name: str) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        guarded = handles_errors(_recording(command))

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            outcome = Outcome(name)
            token = _current.set(outcome)
            try:
                return guarded(*args, **kwargs)
            except SystemExit as exit_:
                outcome.code = exit_.code if isinstance(exit_.code, int) else 1
                raise
            except click.UsageError:  # the command line, read by the command: exit 64 (main.py)
                outcome.code = USAGE
                raise
            except BaseException as error:  # a bug or an interrupt: still say how the run ended
                outcome.code = INTERRUPTED if isinstance(error, KeyboardInterrupt) else INTERNAL
                outcome.error = mask(f"{type(error).__name__}: {error}")
                raise
            finally:
                _current.reset(token)
                _finish(outcome)

        return wrapper  # type: ignore[return-value]

    return decorate


def _recording(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ReconcilerError as error:
            if error.prefix:  # an error; a refusal or unfinished work is said by the status
                note(error=mask(str(error)).splitlines()[0] if str(error) else type(error).__name__)
            if isinstance(error, InterruptedRunError):
                note(written=error.written)
            raise
        except OSError as error:
            if refused_by_the_machine(error):
                note(error=mask(os_problem(error)))
            raise

    return wrapper  # type: ignore[return-value]


def _finish(outcome: Outcome) -> None:
    run = run_report(outcome)
    if outcome.command == "apply" and outcome.deployment is not None and outcome.deployment.settings.notify:
        try:
            notify(outcome.deployment.settings.notify, run, root=outcome.deployment.root, environ=os.environ)
        except Exception as error:
            log.warning("notify: failed=%s", mask(f"{type(error).__name__}: {error}"))
    # Last, so that it is the line a scheduler's log view shows at the end.
    click.echo(
        json.dumps({"event": "summary", **_summary_fields(run)})
        if configured_format() == "json"
        else summary_line(run),
        err=True,
    )


def run_report(outcome: Outcome) -> dict[str, Any]:
    """What the summary line and the notification templates know about the run."""
    plan, result, deployment = outcome.plan or {}, outcome.result, outcome.deployment
    psa = deployment.settings.psa.name if deployment else plan.get("psa", "")
    changes = plan.get("changes", [])
    runrates = [Decimal(c["runrate_change"]) for c in changes]
    totals = plan.get("totals", {})
    return {
        "command": outcome.command,
        "run_id": run_id(),
        "exit_code": outcome.code,
        "outcome": None if outcome.code in (OK, CHANGES) else ("refusal" if outcome.code == UNSAFE else "failure"),
        "status": STATUS.get(outcome.code, "failed"),
        "seconds": round(time.monotonic() - outcome.started, 1),
        "deployment": str(deployment.root.resolve().name) if deployment else "",
        "psa": words_of(psa).psa,
        "sync_date": plan.get("sync_date"),
        "error": outcome.error,
        "planned": len(changes),
        "applied": len(result.applied) if result else outcome.written,
        "failed": _failures(result, words_of(psa).agreement),
        "unsynced": totals.get("errors", 0),
        "runrate": str(sum(runrates, Decimal("0.00"))),
        "money_in": str(sum((r for r in runrates if r > 0), Decimal("0.00"))),
        "money_out": str(sum((r for r in runrates if r < 0), Decimal("0.00"))),
        "one_off": totals.get("one_off", "0.00"),
        "review": plan.get("review", []),
        "refusals": plan.get("refusals", []),
    }


def _failures(result: ApplyResult | None, where: str) -> list[dict[str, str]]:
    if result is None:
        return []
    return [
        {
            "client": f.change.client_name,
            "product": f.change.product_key,
            "where": f"{where} {f.change.agreement_id}",
            "why": f.why,
        }
        for f in result.failures
    ]


def _summary_fields(run: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "command",
        "status",
        "exit_code",
        "seconds",
        "run_id",
        "sync_date",
        "planned",
        "applied",
        "runrate",
        "error",
    )
    return {**{k: run[k] for k in keys}, "failed": len(run["failed"]), "review": len(run["review"])}


def summary_line(run: dict[str, Any]) -> str:
    """e.g. `ncesync apply: ok (exit 0) in 3.2s, run 3f2a1b9c0d1e; 12 of 12 changes written;
    run-rate +$1,204.50/month; 2 need review`."""
    parts = [
        f"ncesync {run['command']}: {run['status']} (exit {run['exit_code']}) in {run['seconds']}s, run {run['run_id']}"
    ]
    if run["command"] == "apply" and run["planned"]:
        failed = f", {len(run['failed'])} not written" if run["failed"] else ""
        parts.append(f"{run['applied']} of {run['planned']} changes written{failed}")
    elif run["sync_date"]:
        parts.append(f"{run['planned']} change{'s' if run['planned'] != 1 else ''} planned for {run['sync_date']}")
    if run["planned"]:
        parts.append(f"run-rate {signed_money(run['runrate'])}/month")
    if run["review"]:
        parts.append(f"{len(run['review'])} need{'s' if len(run['review']) == 1 else ''} review")
    if run["error"]:
        parts.append(f"error: {run['error']}")
    return "; ".join(parts)
