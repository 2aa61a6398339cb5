"""Pure conversion between TinyPSA's JSON records and ncesync's model (no I/O).

* a plan is an `Agreement`: monthly periods from its `billing_day`; its status maps onto
  the engine's (`active` -> Active, `paused` -> Inactive, `closed` -> Cancelled);
* an item is a `PsaLine` with one `UnitSpan(effective_date, end_date, quantity)`; its
  `kind` says MAIN or DELTA natively, so no marker is needed to recognise delta lines;
* a catalog item is a `CatalogItem` keyed by its `code` (products.yaml `psa_product`).

Money arrives as decimal text and becomes a Decimal through its text. A field that decides
money, seats or status and is missing, null, of the wrong type or an unknown enum value
raises `Damaged` naming the record and the field: never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from reconciler.model import Agreement, CatalogItem, PsaLine, UnitSpan
from reconciler.model.psa import DELTA, MAIN
from reconciler.plan import change as actions
from reconciler.plan.change import Change

STATUSES = {"active": "Active", "paused": "Inactive", "closed": "Cancelled"}
KINDS = {"main": MAIN, "delta": DELTA}
CREATES = {actions.CREATE_LINE: "main", actions.CREATE_DELTA: "delta"}
# change.after key -> item field, for POST and PATCH bodies
FIELDS = (
    ("quantity", "quantity"),
    ("unit_price", "unit_price"),
    ("unit_cost", "unit_cost"),
    ("effective_date", "effective_date"),
    ("invoice_description", "invoice_text"),
)
PATCHABLE = ("quantity", "unit_price", "unit_cost", "invoice_description")

T = TypeVar("T")


class Damaged(ValueError):
    """A record that was read but cannot be understood; the message names record and field."""


# -- records -> model -------------------------------------------------------------------


def companies_from_json(records: list[dict[str, Any]]) -> dict[int, str]:
    return {_field(r, "id", _whole, "company"): str(r.get("name") or "") for r in records}


def agreement_from_json(record: dict[str, Any]) -> Agreement:
    status = _field(record, "status", _text, "plan")
    if status not in STATUSES:
        raise Damaged(
            f"TinyPSA plan {record.get('id')!r}: field status: unknown status {status!r} "
            f"(expected one of {', '.join(STATUSES)})"
        )
    return Agreement(
        id=_field(record, "id", _whole, "plan"),
        company_id=_field(record, "company_id", _whole, "plan"),
        name=str(record.get("name") or ""),
        status=STATUSES[status],
        start_date=_field(record, "start_date", _date, "plan"),
        billing_day=_field(record, "billing_day", _whole, "plan"),
    )


def line_from_json(record: dict[str, Any]) -> PsaLine:
    kind = _field(record, "kind", _text, "item")
    if kind not in KINDS:
        raise Damaged(f"TinyPSA item {record.get('id')!r}: field kind: unknown kind {kind!r} (expected main or delta)")
    end = record.get("end_date")
    return PsaLine(
        id=_field(record, "id", _whole, "item"),
        agreement_id=_field(record, "plan_id", _whole, "item"),
        product_id=_field(record, "code", _text, "item"),
        kind=KINDS[kind],
        spans=(
            UnitSpan(
                _field(record, "effective_date", _date, "item"),
                None if end is None else _field(record, "end_date", _date, "item"),
                _field(record, "quantity", _whole, "item"),
            ),
        ),
        unit_price=_field(record, "unit_price", _money, "item"),
        unit_cost=_field(record, "unit_cost", _money, "item"),
        invoice_description=str(record.get("invoice_text") or ""),
    )


def catalog_item_from_json(record: dict[str, Any]) -> CatalogItem:
    return CatalogItem(
        product_id=_field(record, "code", _text, "catalog item"),
        id=_field(record, "id", _whole, "catalog item"),
        description=str(record.get("name") or ""),
        price=_field(record, "price", _money, "catalog item"),
        cost=_field(record, "cost", _money, "catalog item"),
    )


# -- changes -> request bodies ----------------------------------------------------------


def item_body(change: Change) -> dict[str, Any]:
    """The `POST /plans/{id}/items` body of a create_line (main) or create_delta (delta)."""
    body: dict[str, Any] = {"code": change.product_id, "kind": CREATES[change.action]}
    for key, name in FIELDS:
        if change.after.get(key) is not None:
            body[name] = _wire(key, change.after[key])
    body.setdefault("effective_date", change.effective_date)
    return body


def patch_body(change: Change) -> dict[str, Any]:
    """The `PATCH /items/{id}` body of a set_quantity or update_line: the fields it changes."""
    return {name: _wire(key, change.after[key]) for key, name in FIELDS if key in PATCHABLE and key in change.after}


def _wire(key: str, value: Any) -> Any:
    if key == "quantity":
        return int(value)
    if key in ("unit_price", "unit_cost"):
        return str(Decimal(str(value)))  # TinyPSA takes money as decimal text
    return str(value if value is not None else "")


# -- fields -----------------------------------------------------------------------------


def _field(record: Any, name: str, parse: Callable[[Any], T], entity: str) -> T:
    if not isinstance(record, dict):
        raise Damaged(f"TinyPSA {entity}: not a JSON object ({record!r})")
    where = f"TinyPSA {entity} {record.get('id', record.get('code'))!r}"
    if record.get(name) is None:
        raise Damaged(f"{where}: field {name}: missing or null")
    try:
        return parse(record[name])
    except ValueError as exc:
        raise Damaged(f"{where}: field {name}: {exc}") from None


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a date like 2024-06-15, got {value!r}") from None


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(value) if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(f'expected an amount like "20.00", got {value!r}')
    return amount
