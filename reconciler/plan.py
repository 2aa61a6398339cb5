"""The plan: what apply would write, why, and what it costs. The plan is data.

Renderers read only `Plan.to_json()`; the fingerprint is taken over the inputs (specs,
source and PSA snapshots), so a saved plan can be checked against a fresh read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler import tally
from reconciler.change import Change
from reconciler.model.forecast import RequestForecast

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Issue:
    """An error (a licence not synced) or a warning, tied to a client when there is one."""

    message: str
    client_id: str | None = None
    client_name: str | None = None
    product_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Unmapped:
    """A Dicker Data customer without a client mapping, or a stock code without a product one."""

    kind: str  # "customer" | "stock_code"
    tenant_id: str
    name: str
    seats: int
    stock_code: str | None = None
    monthly_cost: str | None = None  # what Dicker Data charges for these seats a month, unbilled

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ReviewItem:
    """Something in the plan a person should look at before it is applied, and why."""

    kind: str  # see reconciler/review.py
    why: str
    client_id: str
    client_name: str
    product_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Plan:
    sync_type: str
    sync_date: str
    psa: str
    changes: list[Change] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name, seats, digests
    fingerprint: str = ""
    scope: dict[str, Any] = field(default_factory=dict)
    refusals: list[dict[str, str]] = field(default_factory=list)  # safety guards that refused it
    invoices: list[dict[str, Any]] | None = None  # monthly: totals per invoice and client
    review: list[ReviewItem] = field(default_factory=list)  # what needs a look, and why
    requests: RequestForecast | None = None  # what applying it costs in PSA requests

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def totals(self) -> dict[str, Any]:
        effects = tally.counts(self.changes)
        created = effects[tally.CREATED]
        return {
            "create": created,
            "change": len(self.changes) - created - effects[tally.CANCELLED],
            "cancel": effects[tally.CANCELLED],
            "seats_changed": effects[tally.SEATS],
            "lines_created": created,
            "descriptions_updated": effects[tally.DESCRIPTION],
            "prices_updated": effects[tally.PRICE],
            "costs_updated": effects[tally.COST],
            "review": len(self.review),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "runrate_change": str(sum((Decimal(c.runrate_change) for c in self.changes), Decimal("0.00"))),
            "one_off": str(sum((Decimal(c.one_off) for c in self.changes), Decimal("0.00"))),
            "unmapped_customers": sum(1 for u in self.unmapped if u.kind == "customer"),
            "unmapped_stock_codes": sum(1 for u in self.unmapped if u.kind == "stock_code"),
        }

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "sync_type": self.sync_type,
            "sync_date": self.sync_date,
            "psa": self.psa,
            "fingerprint": self.fingerprint,
            "scope": self.scope,
            "totals": self.totals(),
            "changes": [c.to_json() for c in self.changes],
            "errors": [e.to_json() for e in self.errors],
            "warnings": [w.to_json() for w in self.warnings],
            "unmapped": [u.to_json() for u in self.unmapped],
            "refusals": self.refusals,
            "review": [r.to_json() for r in self.review],
            "clients": self.clients,
        }
        if self.invoices is not None:
            data["invoices"] = self.invoices
        if self.requests is not None:
            data["requests"] = self.requests.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Plan":
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"plan format_version {data.get('format_version')!r} is not {FORMAT_VERSION}")
        return cls(
            sync_type=data["sync_type"],
            sync_date=data["sync_date"],
            psa=data["psa"],
            changes=[Change.from_json(c) for c in data["changes"]],
            errors=[Issue(**e) for e in data["errors"]],
            warnings=[Issue(**w) for w in data["warnings"]],
            unmapped=[Unmapped(**u) for u in data["unmapped"]],
            clients=data["clients"],
            fingerprint=data["fingerprint"],
            scope=data.get("scope", {}),
            refusals=data.get("refusals", []),
            invoices=data.get("invoices"),
            review=[ReviewItem(**r) for r in data.get("review", [])],
            requests=RequestForecast.from_json(data["requests"]) if data.get("requests") else None,
        )


def digest(value: Any) -> str:
    """A stable hash of JSON-able data (Decimal and dates via str)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
