"""Every target provider the conformance suite runs against: the ones ncesync ships (their
PSAs emulated by the sandbox: ConnectWise, Autotask, Xero) and every kit a plug-in installs in `ncesync.conformance`."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from reconciler.provider import Capabilities
from reconciler.run.plugins import provider_class
from tests.conformance.kit import PsaKit
from tests.conformance.sandbox_kits import AutotaskKit, ConnectWiseKit
from tests.conformance.xero_kit import XeroKit

GROUP = "ncesync.conformance"


def kits() -> list[PsaKit]:
    found: list[PsaKit] = [ConnectWiseKit(), AutotaskKit(), XeroKit()]
    for ep in sorted(entry_points(group=GROUP), key=lambda ep: ep.name):
        loaded: Any = ep.load()
        found.append(loaded() if isinstance(loaded, type) else loaded)
    return found


def capabilities(kit: PsaKit) -> Capabilities:
    return provider_class(kit.provider).capabilities  # type: ignore[attr-defined, no-any-return]
