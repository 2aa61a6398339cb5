"""The vendors' rules on requests in flight at once, and the 429 a request past them gets.

Autotask allows each integration 3 requests at once per object endpoint (its "thread
limiting"); a client issuing its reads in parallel must stay inside that, and the sandbox
refuses the fourth with a 429, as the live API limits it. Xero allows 5 Accounting API calls
at once per organisation (the identity service is not counted); the sixth is a 429 with
`X-Rate-Limit-Problem: concurrent`. ConnectWise publishes no such limit: a benchmark may set
one (`Limit(total=N)`) to see what a cap would cost. A request
holds its place from arrival until its answer is ready (latency included) and gives it up
before the answer is sent, so a client that waits for an answer before sending the next
request is never refused.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from providers.sandbox.autotask_records import CHILD_OF_CONTRACT

AUTOTASK_PER_ENDPOINT = 3
XERO_AT_ONCE = 5
_EXEMPT = frozenset({"zoneinformation"})  # Autotask: zone discovery is not thread-limited
_XERO_IDENTITY = frozenset({"identity", "connections"})  # Xero: the identity service is not counted


@dataclass(frozen=True)
class Limit:
    per_endpoint: int | None = None  # requests at once to one endpoint
    total: int | None = None  # requests at once to the vendor


DEFAULT_LIMITS: Mapping[str, Limit] = {
    "autotask": Limit(per_endpoint=AUTOTASK_PER_ENDPOINT),
    "xero": Limit(total=XERO_AT_ONCE),
}


def endpoint_of(vendor: str, pattern: str) -> str | None:
    """The endpoint a request counts against (None: no limit applies). Autotask's is the
    entity: `/ContractServiceUnits/query/next` and `/ContractServiceUnits/query` are one
    endpoint, and `/Contracts/{id}/Services` addresses ContractServices."""
    parts = [p for p in pattern.split("/") if p]
    if not parts:
        return "/"
    if vendor == "xero":
        return None if parts[0].lower() in _XERO_IDENTITY else "api.xro"  # one limit for the whole API
    if vendor != "autotask":
        return parts[0]
    if parts[0].lower() in _EXEMPT:
        return None
    if parts[0] == "Contracts" and len(parts) >= 3 and parts[2] in CHILD_OF_CONTRACT:
        return CHILD_OF_CONTRACT[parts[2]]
    return parts[0]


class Concurrency:
    """Requests in flight per vendor and endpoint (thread-safe); what was refused; the most
    that were in flight at once."""

    def __init__(self, limits: Mapping[str, Limit] | None = None):
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._lock = threading.Lock()
        self._endpoint: Counter[tuple[str, str]] = Counter()
        self._vendor: Counter[str] = Counter()
        self._refused: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()

    def enter(self, vendor: str, endpoint: str | None) -> str | None:
        """Take a place for one request: None, or why it is refused (nothing taken then)."""
        limit = self.limits.get(vendor, Limit())
        key = (vendor, endpoint or "")
        with self._lock:
            refusal = None
            if endpoint is None:  # a path no limit applies to: not counted at all
                return None
            if limit.per_endpoint is not None and self._endpoint[key] >= limit.per_endpoint:
                refusal = f"at most {limit.per_endpoint} requests at once to {endpoint} per integration"
            elif limit.total is not None and self._vendor[vendor] >= limit.total:
                refusal = f"at most {limit.total} requests at once"
            if refusal:
                self._refused[f"{vendor} {endpoint}"] += 1
                return refusal
            self._endpoint[key] += 1
            self._vendor[vendor] += 1
            self._peak[f"{vendor} {endpoint}"] = max(self._peak[f"{vendor} {endpoint}"], self._endpoint[key])
            self._peak[vendor] = max(self._peak[vendor], self._vendor[vendor])
            return None

    def leave(self, vendor: str, endpoint: str | None) -> None:
        if endpoint is None:
            return
        with self._lock:
            self._endpoint[(vendor, endpoint or "")] -= 1
            self._vendor[vendor] -= 1

    def refused(self) -> dict[str, int]:
        """Requests answered 429 for being past a limit, per `vendor endpoint`."""
        with self._lock:
            return dict(sorted(self._refused.items()))

    def peaks(self) -> dict[str, int]:
        """The most requests in flight at once, per `vendor endpoint` and per vendor."""
        with self._lock:
            return dict(sorted(self._peak.items()))

    def reset(self) -> None:
        """Forget what was refused and the peaks (what is in flight stays counted)."""
        with self._lock:
            self._refused.clear()
            self._peak.clear()
