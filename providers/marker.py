"""The sync's machine-readable marker at the end of a PSA line's `description`.

A ConnectWise addition's description is internal and an Autotask contract charge has a
description beside the name its invoice line shows, so either can carry the marker that
lets a later run recognise the lines it created: `[ncesync:main]` for main lines,
`[ncesync:delta]` for prorate delta lines and `[ncesync:charge KEY]` for monthly copies of
invoice lines. A line without a marker (typed by hand) counts as a main line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.model.psa import CHARGE, DELTA, MAIN

_MARKER = re.compile(r"\s*\[ncesync:(main|delta|charge)(?: ([^\]]+))?\]\s*$")


@dataclass(frozen=True)
class Marker:
    kind: str  # MAIN, DELTA or CHARGE
    key: str | None = None  # CHARGE only: the invoice-line key

    def text(self) -> str:
        if self.kind == CHARGE:
            return f"[ncesync:charge {self.key}]"
        return f"[ncesync:{self.kind}]"


def read_marker(description: str | None) -> Marker:
    """The marker a description ends with; an unmarked description is a main line."""
    match = _MARKER.search(description or "")
    if not match:
        return Marker(MAIN)
    kind, key = match.group(1), match.group(2)
    if kind == CHARGE and not key:
        return Marker(MAIN)  # a charge marker without its key cannot be matched: treat as manual
    return Marker(kind, key.strip() if key else None)


def strip_marker(description: str | None) -> str:
    """The human part of a description, without any trailing marker."""
    return _MARKER.sub("", description or "")


def with_marker(description: str | None, marker: Marker) -> str:
    """`description` ending in exactly one marker (an old marker is replaced, not doubled)."""
    if marker.kind not in (MAIN, DELTA, CHARGE):
        raise ValueError(f"unknown line kind {marker.kind!r}")
    if marker.kind == CHARGE and (not marker.key or "]" in marker.key or "\n" in marker.key):
        raise ValueError(f"a charge marker needs a one-line key without ']': {marker.key!r}")
    human = strip_marker(description).strip()
    return f"{human} {marker.text()}" if human else marker.text()
