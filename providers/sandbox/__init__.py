"""The embedded sandbox: Dicker Data, ConnectWise, Autotask and Xero APIs emulated on a world file.

The names below are imported on first use: every `ncesync` command loads this package for
its `sandbox` command group, and a run against a served sandbox or a real PSA needs none
of the emulators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.sandbox.faults import Fault, FaultPlan
    from providers.sandbox.server import SandboxServer, serve_forever
    from providers.sandbox.world import load_world, save_world_atomic
    from providers.sandbox_credentials import SANDBOX_CREDENTIALS

_WHERE = {
    "SANDBOX_CREDENTIALS": "providers.sandbox_credentials",
    "Fault": "providers.sandbox.faults",
    "FaultPlan": "providers.sandbox.faults",
    "SandboxServer": "providers.sandbox.server",
    "load_world": "providers.sandbox.world",
    "save_world_atomic": "providers.sandbox.world",
    "serve_forever": "providers.sandbox.server",
}

__all__ = [
    "SANDBOX_CREDENTIALS",
    "Fault",
    "FaultPlan",
    "SandboxServer",
    "load_world",
    "save_world_atomic",
    "serve_forever",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
