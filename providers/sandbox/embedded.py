"""The sandbox as the engine starts it for `endpoint: sandbox` (the `ncesync.sandbox`
entry point): the deployment's working world served on a loopback port, its clock set to
the sync date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from providers.sandbox.server import SandboxServer
from providers.sandbox.working_copy import working_world


def start(root: Path, world: str, clock: date) -> SandboxServer:
    """Serve `world` (relative to the deployment `root`) until `stop()`; `url` is where."""
    return SandboxServer(working_world(Path(root), world), clock=clock).start()
