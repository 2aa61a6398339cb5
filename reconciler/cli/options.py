"""Options shared by several commands."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.run.runtime import EARLIEST_SYNC_DATE, LATEST_SYNC_DATE

F = TypeVar("F", bound=Callable[..., Any])


class CalendarDate(click.ParamType):  # type: ignore[type-arg]  # click >= 8.2 is generic, older is not
    """YYYY-MM-DD, checked to be a real day (and, for a sync date, one ncesync plans for),
    with a message that says which part is wrong. A datetime at midnight, as click.DateTime."""

    name = "YYYY-MM-DD"

    def __init__(self, *, sync: bool = True):
        self.sync = sync

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not found:
            self.fail(f"{text!r} is not a date like 2024-06-15 (year-month-day)", param, ctx)
        year, month, day = (int(g) for g in found.groups())
        if not 1 <= month <= 12:
            self.fail(f"{text}: there is no month {month}", param, ctx)
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            self.fail(f"{text} is not a calendar date: {calendar.month_name[month]} {year} has {last} days", param, ctx)
        chosen = date(year, month, day)
        if self.sync and not EARLIEST_SYNC_DATE <= chosen <= LATEST_SYNC_DATE:
            self.fail(
                f"{text} is outside the sync dates ncesync plans for "
                f"({EARLIEST_SYNC_DATE} to {LATEST_SYNC_DATE}); give the day of the run you mean",
                param,
                ctx,
            )
        return datetime(year, month, day)


def _deployment_dir(*, exists: bool) -> Callable[[F], F]:
    return click.option(
        "-C",
        "--dir",
        "root",
        type=click.Path(exists=exists, file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The deployment folder holding specs/.",
    )


deployment_dir = _deployment_dir(exists=False)
# For commands that only read a deployment's run state (journal, unlock): a folder that does
# not exist is a typo to say, not a deployment with an empty journal.
existing_deployment_dir = _deployment_dir(exists=True)

clients = click.option(
    "--client",
    "clients",
    multiple=True,
    metavar="ID",
    help="Sync only this client (Dicker Data customer id or spec file name); repeatable.",
)

sync_date = click.option(
    "--date",
    "sync_date",
    type=CalendarDate(),
    default=None,
    help="The sync date (default: today in the configured time zone).",
)

output_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)

invoices = click.option(
    "--invoice",
    "invoices",
    multiple=True,
    metavar="NUMBER",
    help="Monthly sync: copy only this Dicker Data invoice; repeatable.",
)
force = click.option("--force", is_flag=True, help="Override the safety guards (see the plan's refusals).")

parallelism = click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="PSA requests in flight at once (default: psa.parallelism, else the provider's, within the vendor's limit).",
)

quiet = click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
