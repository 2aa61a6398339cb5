"""`ncesync sandbox init|serve|reset`: the embedded vendor emulator of a deployment.

A command the sandbox adds to the `ncesync` CLI through the `ncesync.commands` entry-point
group: the engine knows no emulator, it only lists the commands plug-ins offer."""

from __future__ import annotations

import shlex
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from reconciler.cli.exitcodes import handles_errors
from reconciler.cli.options import CalendarDate, deployment_dir
from reconciler.errors import ConfigError

MAX_CLIENTS = 20_000  # the largest world worth generating: 5,000 clients is the benchmark


@click.group()
def sandbox() -> None:
    """The embedded sandbox: emulated Dicker Data, ConnectWise, Autotask and Xero APIs."""


@sandbox.command()
@deployment_dir
@click.option(
    "--clients", type=click.IntRange(min=1, max=MAX_CLIENTS), default=12, show_default=True, help="Mapped clients."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option("--psa", type=click.Choice(["connectwise", "autotask", "xero"]), default="connectwise", show_default=True)
@click.option("--sync", "sync_type", type=click.Choice(["daily", "monthly"]), default="daily", show_default=True)
@click.option("--style", type=click.Choice(["advance", "arrears"]), default="advance", show_default=True)
@click.option("--prorate/--no-prorate", default=False, show_default=True)
@click.option("--date", "today", type=CalendarDate(), default=None, help="The world's today (default: today).")
@click.option(
    "--timezone",
    default="Pacific/Auckland",
    show_default=True,
    help="The MSP's time zone (IANA name); the emulated Autotask database keeps it too.",
)
@click.option("--force", is_flag=True, help="Write even when specs/ already exists.")
@handles_errors
def init(
    root: Path,
    clients: int,
    seed: int,
    psa: str,
    sync_type: str,
    style: str,
    prorate: bool,
    today: datetime | None,
    timezone: str,
    force: bool,
) -> None:
    """Write a reproducible demo deployment: specs/ and sandbox/world.json."""
    from providers.sandbox.generator import generate, reset

    if (root / "specs").exists() and not force:
        raise ConfigError(f"{root / 'specs'} already exists; use --force to overwrite it")
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError):  # an option's value, like a bad --date: a usage error (64)
        raise click.BadParameter(
            f"{timezone!r} is not a time zone (use an IANA name such as Australia/Sydney)", param_hint="--timezone"
        ) from None
    day = today.date() if today else date.today()
    generate(
        root,
        clients=clients,
        seed=seed,
        psa=psa,
        sync=sync_type,
        style=style,
        prorate=prorate,
        today=day,
        timezone=timezone,
    )
    reset(root)
    click.echo(f"Wrote a deployment for {psa} with {clients} clients (seed {seed}) to {root}.")
    click.echo(f"Next: ncesync plan -C {shlex.quote(str(root))} --date {day.isoformat()}")


@sandbox.command()
@deployment_dir
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Loopback port (default: any free one).")
@handles_errors
def serve(root: Path, port: int) -> None:
    """Serve the deployment's working world until Ctrl-C."""
    from providers.sandbox import serve_forever
    from providers.sandbox.working_copy import working_world, world_setting

    world = working_world(root, world_setting(root))

    def ready(url: str) -> None:
        click.echo(f"Sandbox serving {world} at {url} (Ctrl-C to stop).")
        click.echo(f"Point ncesync at it with: export NCESYNC_SANDBOX_URL={url}")

    serve_forever(world, port, on_ready=ready)


@sandbox.command()
@deployment_dir
@handles_errors
def reset(root: Path) -> None:
    """Restore the working world (.ncesync/world.json) from the deployment's sandbox world."""
    from providers.sandbox.working_copy import reset as reset_world

    click.echo(f"Restored {reset_world(root)}.")
