"""TinyPSA's records as its API serves them, and the rules it checks on a write.

This is the vendor's side (what the emulator holds), not ncesync's model: the provider
only ever sees these records as JSON. Money travels as decimal text ("20.00"), dates as
ISO dates; a plan's status is one of `PLAN_STATUSES`, an item's kind `main` or `delta`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

PLAN_STATUSES = ("active", "paused", "closed")
ITEM_KINDS = ("main", "delta")
INVOICE_TEXT_LIMIT = 500
PATCHABLE = ("quantity", "unit_price", "unit_cost", "invoice_text", "end_date")


class ApiError(Exception):
    """An answer other than success: the HTTP status and TinyPSA's `{error: {code, message}}`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class Company:
    id: int
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Plan:
    """What TinyPSA bills a company on, monthly from `billing_day` (an agreement)."""

    id: int
    company_id: int
    name: str
    status: str
    start_date: date
    billing_day: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "company_id": self.company_id,
            "name": self.name,
            "status": self.status,
            "start_date": self.start_date.isoformat(),
            "billing_day": self.billing_day,
        }


@dataclass(frozen=True)
class CatalogItem:
    id: int
    code: str
    name: str
    price: Decimal
    cost: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "name": self.name, "price": str(self.price), "cost": str(self.cost)}


@dataclass(frozen=True)
class Item:
    """A line on a plan. `history` is the quantity as TinyPSA recorded it day by day:
    (recorded on, quantity), oldest first; what its invoices are made from."""

    id: int
    plan_id: int
    code: str
    kind: str
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal
    effective_date: date
    end_date: date | None = None
    invoice_text: str = ""
    history: tuple[tuple[date, int], ...] = ()

    def units_on(self, day: date) -> int:
        if day < self.effective_date or (self.end_date and day > self.end_date):
            return 0
        return self.quantity

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plan_id": self.plan_id,
            "code": self.code,
            "kind": self.kind,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
            "unit_cost": str(self.unit_cost),
            "effective_date": self.effective_date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "invoice_text": self.invoice_text,
        }


def new_item(item_id: int, plan: Plan, catalog: CatalogItem, body: dict[str, Any], today: date) -> Item:
    """The item a `POST /plans/{id}/items` body asks for; ApiError 400/409 when refused."""
    if plan.status != "active":
        raise ApiError(
            409, "plan_not_active", f"plan {plan.id} is {plan.status}; items can be added to active plans only"
        )
    kind = body.get("kind", "main")
    if kind not in ITEM_KINDS:
        raise ApiError(400, "invalid", f"kind: expected one of {', '.join(ITEM_KINDS)}, got {kind!r}")
    quantity = _whole(body.get("quantity"), "quantity")
    if kind == "main" and quantity < 0:
        raise ApiError(400, "invalid", "quantity: a main item cannot have a negative quantity")
    if kind == "delta" and quantity == 0:
        raise ApiError(400, "invalid", "quantity: a delta item must change the count")
    effective = _day(body.get("effective_date"), "effective_date")
    if effective is None:
        raise ApiError(400, "invalid", "effective_date: required")
    if effective < plan.start_date:
        raise ApiError(
            400, "invalid", f"effective_date: {effective} is before plan {plan.id} starts ({plan.start_date})"
        )
    return Item(
        id=item_id,
        plan_id=plan.id,
        code=catalog.code,
        kind=kind,
        quantity=quantity,
        unit_price=_money(body.get("unit_price", catalog.price), "unit_price"),
        unit_cost=_money(body.get("unit_cost", catalog.cost), "unit_cost"),
        effective_date=effective,
        end_date=_day(body.get("end_date"), "end_date"),
        invoice_text=_text(body.get("invoice_text", "")),
        history=((today, quantity),),
    )


def patched(item: Item, body: dict[str, Any], today: date) -> Item:
    """`item` after a `PATCH /items/{id}`; a new quantity is recorded in its history."""
    unknown = sorted(set(body) - set(PATCHABLE))
    if unknown:
        raise ApiError(400, "invalid", f"{', '.join(unknown)}: cannot be changed (changeable: {', '.join(PATCHABLE)})")
    changes: dict[str, Any] = {}
    if "quantity" in body:
        changes["quantity"] = _whole(body["quantity"], "quantity")
        if item.kind == "main" and changes["quantity"] < 0:
            raise ApiError(400, "invalid", "quantity: a main item cannot have a negative quantity")
        changes["history"] = (*item.history, (today, changes["quantity"]))
    for name in ("unit_price", "unit_cost"):
        if name in body:
            changes[name] = _money(body[name], name)
    if "invoice_text" in body:
        changes["invoice_text"] = _text(body["invoice_text"])
    if "end_date" in body:
        changes["end_date"] = _day(body["end_date"], "end_date")
    return replace(item, **changes)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "invalid", f"{name}: expected a whole number, got {value!r}")
    return value


def _money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if isinstance(value, bool) or not amount.is_finite():
        raise ApiError(400, "invalid", f'{name}: expected an amount like "20.00", got {value!r}')
    return amount


def _day(value: Any, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApiError(400, "invalid", f"{name}: expected a date like 2024-06-15, got {value!r}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid", f"invoice_text: expected text, got {value!r}")
    if len(value) > INVOICE_TEXT_LIMIT:
        raise ApiError(400, "invalid", f"invoice_text: at most {INVOICE_TEXT_LIMIT} characters, got {len(value)}")
    return value
