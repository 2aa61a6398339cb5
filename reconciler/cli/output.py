"""Writing plans and results to the terminal: results on stdout, refusals on stderr."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from reconciler.apply.apply import ApplyResult
from reconciler.plan.plan import ClientSummary
from reconciler.report.render import render


def echo_plan(data: dict[str, Any], fmt: str) -> None:
    text = render(data, fmt)
    click.echo(text, nl=not text.endswith("\n"))


def echo_failures(result: ApplyResult, names: Mapping[str, ClientSummary], container: str) -> None:
    """What was not written, per licence: why, and what the next run does about it."""
    if not result.failures:
        return
    click.echo(f"Not written ({len(result.failures)} of the plan's changes; every other licence was synced):", err=True)
    rows = [
        (
            names[f.change.client_id].name if f.change.client_id in names else f.change.client_name,
            f"{container} {f.change.agreement_id}",
            f"{f.change.product_key} ({f.change.product_id})",
            _what(f.change),
            "failed" if f.attempted else "skipped",
        )
        for f in result.failures
    ]
    header = ("client", container, "product", "change", "outcome")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    click.echo(line(header), err=True)
    for failure, row in zip(result.failures, rows, strict=True):
        click.echo(line(row), err=True)
        click.echo(f"      why: {failure.why}", err=True)
        click.echo(f"      next run: {failure.next_run}", err=True)
    if result.stopped:
        click.echo(f"The run stopped early: {result.stopped}.", err=True)


def _what(change: Any) -> str:
    quantity = change.after.get("quantity")
    seats = f" {quantity:+d}" if isinstance(quantity, int) and change.action != "set_quantity" else ""
    return f"{change.action}{seats} from {change.effective_date}"
