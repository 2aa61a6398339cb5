"""The plan: what apply would write, why, and what it costs. The plan is data.

Renderers read only `Plan.to_json()`; the fingerprint is taken over the inputs (specs,
source and PSA snapshots), so a saved plan can be checked against a fresh read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.model.forecast import RequestForecast
from reconciler.plan import tally
from reconciler.plan.change import Change
from reconciler.provider import Words

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

    kind: str  # see reconciler/plan/review.py
    why: str
    client_id: str
    client_name: str
    product_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Refusal:
    """A safety guard that refuses the plan (exit 3 unless --force), and why."""

    guard: str
    message: str
    client_id: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"guard": self.guard, "message": self.message}
        if self.client_id:
            data["client_id"] = self.client_id
        return data


@dataclass(frozen=True)
class ClientDigest:
    """Hashes of what a client's part of the plan was made from: a saved plan is checked
    against them, so a change on any side shows up per client."""

    source: str
    psa: str
    specs: str


@dataclass(frozen=True)
class ClientSummary:
    """One client in scope, changed or not: its seats on both sides and its digests."""

    name: str
    seats_psa: int  # on each licence's comparison date; licences in error left out
    seats_dicker_data: int
    dd_subscriptions: int
    digest: ClientDigest

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seats_psa": self.seats_psa,
            "seats_dicker_data": self.seats_dicker_data,
            "dd_subscriptions": self.dd_subscriptions,
            "digest": asdict(self.digest),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClientSummary:
        return cls(
            data["name"],
            data["seats_psa"],
            data["seats_dicker_data"],
            data.get("dd_subscriptions", 0),
            ClientDigest(**data["digest"]),
        )


@dataclass(frozen=True)
class Plan:
    """What apply would write. Immutable: planners build it with a `PlanDraft`."""

    sync_type: str
    sync_date: str
    psa: str
    changes: tuple[Change, ...] = ()
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    unmapped: tuple[Unmapped, ...] = ()
    clients: Mapping[str, ClientSummary] = field(default_factory=dict)  # by Dicker Data customer id
    fingerprint: str = ""
    scope: Mapping[str, Any] = field(default_factory=dict)  # clients, full_run, invoices
    refusals: tuple[Refusal, ...] = ()  # safety guards that refused it
    invoices: tuple[dict[str, Any], ...] | None = None  # monthly: totals per invoice and client
    review: tuple[ReviewItem, ...] = ()  # what needs a look, and why
    words: Words = Words()  # what the PSA calls things, so a saved plan renders the same
    requests: RequestForecast | None = None  # what applying it costs in PSA requests

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def totals(self) -> dict[str, Any]:
        effects = tally.counts(list(self.changes))
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
        """The plan as data (schemas/plan.schema.json); `from_json` reads it back whole."""
        data: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "sync_type": self.sync_type,
            "sync_date": self.sync_date,
            "psa": self.psa,
            "fingerprint": self.fingerprint,
            "scope": dict(self.scope),
            "totals": self.totals(),
            "changes": [c.to_json() for c in self.changes],
            "errors": [e.to_json() for e in self.errors],
            "warnings": [w.to_json() for w in self.warnings],
            "unmapped": [u.to_json() for u in self.unmapped],
            "refusals": [r.to_json() for r in self.refusals],
            "review": [r.to_json() for r in self.review],
            "clients": {k: v.to_json() for k, v in self.clients.items()},
            "words": asdict(self.words),
        }
        if self.invoices is not None:
            data["invoices"] = list(self.invoices)
        if self.requests is not None:
            data["requests"] = self.requests.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"plan format_version {data.get('format_version')!r} is not {FORMAT_VERSION}")
        invoices = data.get("invoices")
        return cls(
            sync_type=data["sync_type"],
            sync_date=data["sync_date"],
            psa=data["psa"],
            changes=tuple(Change.from_json(c) for c in data["changes"]),
            errors=tuple(Issue(**e) for e in data["errors"]),
            warnings=tuple(Issue(**w) for w in data["warnings"]),
            unmapped=tuple(Unmapped(**u) for u in data["unmapped"]),
            clients={k: ClientSummary.from_json(v) for k, v in data["clients"].items()},
            fingerprint=data["fingerprint"],
            scope=data.get("scope", {}),
            refusals=tuple(Refusal(**r) for r in data.get("refusals", [])),
            invoices=tuple(invoices) if invoices is not None else None,
            review=tuple(ReviewItem(**r) for r in data.get("review", [])),
            words=Words(**data.get("words", {})),
            requests=RequestForecast.from_json(data["requests"]) if data.get("requests") else None,
        )


@dataclass
class PlanDraft:
    """A plan being built by a planner, client by client; `finish` freezes it."""

    sync_type: str
    sync_date: str
    psa: str
    words: Words = Words()
    changes: list[Change] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    clients: dict[str, ClientSummary] = field(default_factory=dict)
    review: list[ReviewItem] = field(default_factory=list)

    def finish(self, *, fingerprint: str, scope: dict[str, Any], invoices: list[dict[str, Any]] | None = None) -> Plan:
        return Plan(
            sync_type=self.sync_type,
            sync_date=self.sync_date,
            psa=self.psa,
            changes=tuple(self.changes),
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            unmapped=tuple(self.unmapped),
            clients=dict(self.clients),
            fingerprint=fingerprint,
            scope=scope,
            invoices=tuple(invoices) if invoices is not None else None,
            review=tuple(self.review),
            words=self.words,
        )


def digest(value: Any) -> str:
    """A stable hash of JSON-able data (Decimal and dates via str)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
