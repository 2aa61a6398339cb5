"""The embedded sandbox: Dicker Data, ConnectWise and Autotask APIs emulated on a world file."""

from providers.sandbox.faults import Fault, FaultPlan
from providers.sandbox.server import SandboxServer, serve_forever
from providers.sandbox.world import load_world, save_world_atomic
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

__all__ = [
    "SANDBOX_CREDENTIALS",
    "Fault",
    "FaultPlan",
    "SandboxServer",
    "load_world",
    "save_world_atomic",
    "serve_forever",
]
