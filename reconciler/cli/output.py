"""Writing plans and results to the terminal: results on stdout, refusals on stderr."""

from __future__ import annotations

from typing import Any

import click

from reconciler.render import render


def echo_plan(data: dict[str, Any], fmt: str) -> None:
    text = render(data, fmt)
    click.echo(text, nl=not text.endswith("\n"))


def echo_refusals(data: dict[str, Any]) -> None:
    click.echo("Refused by the safety guards (use --force to override after checking):", err=True)
    for refusal in data["refusals"]:
        click.echo(f"  [{refusal['guard']}] {refusal['message']}", err=True)


def echo_unsynced(data: dict[str, Any]) -> None:
    n = len(data["errors"])
    click.echo(
        f"{n} licence{'s' if n != 1 else ''} cannot be synced until fixed (errors above); "
        "everything else was planned normally.",
        err=True,
    )
