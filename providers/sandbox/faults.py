"""Fault injection: make the sandbox misbehave the way real vendor APIs do.

Kinds:
* ``status``: answer `status` (429 with `Retry-After` when `retry_after` is set, 500, ...)
  with the vendor's error body, without performing the request.
* ``slow``: wait `delay` seconds, then answer normally (to trip client timeouts).
* ``lose_response``: perform the request (a write really happens), then drop the
  connection without an answer.
* ``malformed``: ``malformed="html"`` answers an HTML error page with `status` instead of
  JSON (request not performed); ``malformed="missing_field"`` performs the request and
  removes `field` from the JSON answer (top level, `item`, and every record of a list).

Matching: `vendor`, `method` and `path_contains` narrow the requests a fault applies to;
`write_index=k` makes it hit only the k-th write request since the server started (writes
are requests that change the world: AT POST /query and DD key requests are reads).
`times` is how many matching requests it hits (0 = every one).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

ENV_VAR = "NCESYNC_SANDBOX_FAULTS"
KINDS = ("status", "slow", "lose_response", "malformed")


@dataclass(frozen=True)
class Fault:
    kind: str = "status"
    status: int = 500
    retry_after: float | None = None
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    vendor: str | None = None  # connectwise | autotask | dickerdata | xero
    write_index: int | None = None
    delay: float = 0.0
    malformed: str = "html"  # html | missing_field
    field: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "malformed" and self.malformed == "missing_field" and not self.field:
            raise ValueError("a missing_field fault needs `field`")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault members: {sorted(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, vendor: str, method: str, path: str, write_number: int | None) -> bool:
        if self.vendor and self.vendor != vendor:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path_contains and self.path_contains.lower() not in path.lower():
            return False
        return not (self.write_index is not None and write_number != self.write_index)


@dataclass
class _Armed:
    """A fault in force and how many more requests it hits (None: every one)."""

    fault: Fault
    left: int | None


class FaultPlan:
    """The faults in force; thread-safe, mutable from tests while the server runs."""

    def __init__(self, faults: list[Fault] | None = None):
        self._lock = threading.Lock()
        self._active: list[_Armed] = []
        for fault in faults or []:
            self.add(fault)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FaultPlan:
        """Faults from NCESYNC_SANDBOX_FAULTS (a JSON list of Fault objects), for CLI tests."""
        text = environ.get(ENV_VAR, "").strip()
        if not text:
            return cls()
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError(f"{ENV_VAR} must hold a JSON list of faults")
        return cls([Fault.from_json(item) for item in items])

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._active.append(_Armed(fault, fault.times or None))
        return fault

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [entry.fault for entry in self._active]

    def take(self, vendor: str, method: str, path: str, write_number: int | None) -> Fault | None:
        """The first fault matching this request, with one of its hits used up."""
        with self._lock:
            for entry in self._active:
                fault, left = entry.fault, entry.left
                if not fault.matches(vendor, method, path, write_number):
                    continue
                if left is not None:
                    entry.left = left - 1
                    if entry.left <= 0:
                        self._active.remove(entry)
                return fault
        return None
