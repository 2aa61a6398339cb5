"""The capabilities of the registered target providers, by name, for tests that exercise
the billing rules the way each PSA realises them."""

from __future__ import annotations

from providers.autotask.provider import AutotaskProvider
from providers.connectwise.provider import ConnectWiseProvider
from reconciler.provider import Capabilities

CONNECTWISE = "connectwise"
AUTOTASK = "autotask"
CAPABILITIES: dict[str, Capabilities] = {
    CONNECTWISE: ConnectWiseProvider.capabilities,
    AUTOTASK: AutotaskProvider.capabilities,
}


def capabilities(psa: str) -> Capabilities:
    return CAPABILITIES[psa]
