"""Pure conversion between ConnectWise JSON records and the model (no I/O).

Dates: CW sends date-times (`2024-06-15T00:00:00Z`) for what are calendar dates in practice;
we take the date part as written (no time-zone shift) and write dates back as midnight UTC.
Money: every amount becomes a Decimal through its text, never through float arithmetic.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from reconciler import change as actions
from reconciler.change import Change
from reconciler.model.psa import CHARGE, DELTA, MAIN, Agreement, CatalogItem, PsaLine, UnitSpan
from providers.marker import Marker, read_marker, with_marker
from providers.money import json_number
from providers.record import VendorRecord, decimal, flag, whole

log = logging.getLogger(__name__)

INVOICE_DESCRIPTION_LIMIT = 6000  # Addition.invoiceDescription "Max length: 6000"
BILLABLE = "Billable"
CANCELLED = "Cancelled"

_PERIOD_MONTHS = {
    "monthly": 1,
    "quarterly": 3,
    "semi-annual": 6,
    "semiannual": 6,
    "semi-annually": 6,
    "yearly": 12,
    "annual": 12,
    "annually": 12,
}

# change.after key -> Addition property, for PATCH; in the order the ops are written
_PATCHABLE = (
    ("quantity", "quantity"),
    ("unit_price", "unitPrice"),
    ("unit_cost", "unitCost"),
    ("invoice_description", "invoiceDescription"),
    ("cancelled_date", "cancelledDate"),
)

_CREATE_MARKERS = {
    actions.CREATE_LINE: MAIN,
    actions.CREATE_DELTA: DELTA,
    actions.CREATE_CHARGE: CHARGE,
}


# -- values ---------------------------------------------------------------------------


def cw_date(value: str | None) -> date | None:
    """The calendar date of a CW date-time (its date part, as written)."""
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def cw_datetime(day: date | str) -> str:
    """A date as CW writes date-only values: `YYYY-MM-DDT00:00:00Z`."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.isoformat()}T00:00:00Z"


def period_months(billing_cycle: dict[str, Any] | None) -> int:
    name = str((billing_cycle or {}).get("name") or "").strip().lower()
    if not name:
        return 1
    months = _PERIOD_MONTHS.get(name)
    if months is None:
        log.warning("connectwise.mapping: unknown billing cycle name=%r, assuming monthly", name)
        return 1
    return months


# -- records -> model -------------------------------------------------------------------


def companies_from_json(records: list[dict[str, Any]]) -> dict[int, str]:
    return {int(r["id"]): str(r.get("name") or "") for r in records}


def agreement_from_json(record: dict[str, Any]) -> Agreement:
    """Status and prorate flag decide how (and whether) a licence is billed: both required."""
    data = VendorRecord(record, f"ConnectWise agreement {record.get('id')!r}" if isinstance(record, dict) else "ConnectWise agreement")
    status = data.text("agreementStatus")
    if record.get("cancelledFlag"):
        status = CANCELLED
    start = cw_date(record.get("startDate"))
    bill_start = cw_date(record.get("billStartDate")) or start
    return Agreement(
        id=data.required("id", whole),
        company_id=data.nested("company").required("id", whole),
        name=data.text("name", default=""),
        status=status,
        prorate=data.required("prorateFlag", flag),
        start_date=start,
        end_date=cw_date(record.get("endDate")),
        period_months=period_months(record.get("billingCycle")),
        billing_day=bill_start.day if bill_start else 1,
    )


def line_from_json(record: dict[str, Any], agreement_id: int) -> PsaLine:
    """One addition as a PsaLine with one span (effective .. cancelled, quantity).

    Quantity, product and price are required: a damaged addition must stop the run, not be
    read as zero seats or as "no line" (which would plan a duplicate).
    """
    data = VendorRecord(record, f"ConnectWise addition {record.get('id')!r} of agreement {agreement_id}" if isinstance(record, dict) else "ConnectWise addition")
    marker = read_marker(record.get("description"))
    return PsaLine(
        id=data.required("id", whole),
        agreement_id=data.optional("agreementId", whole) or agreement_id,
        product_id=data.nested("product").text("identifier"),
        kind=marker.kind,
        spans=(
            UnitSpan(
                cw_date(record.get("effectiveDate")),
                cw_date(record.get("cancelledDate")),
                data.required("quantity", whole),
            ),
        ),
        unit_price=data.required("unitPrice", decimal),
        unit_cost=data.optional("unitCost", decimal) or Decimal("0"),
        description=str(record.get("description") or ""),
        invoice_description=str(record.get("invoiceDescription") or ""),
        key=marker.key,
    )


def catalog_item_from_json(record: dict[str, Any]) -> CatalogItem:
    """A catalogue item; its price is the default profile price, so it is required."""
    data = VendorRecord(record, f"ConnectWise catalog item {record.get('identifier')!r}" if isinstance(record, dict) else "ConnectWise catalog item")
    return CatalogItem(
        product_id=data.text("identifier"),
        id=data.required("id", whole),
        description=data.text("description", default=""),
        price=data.required("price", decimal),
        cost=data.optional("cost", decimal) or Decimal("0"),
    )


# -- model -> request bodies ------------------------------------------------------------


def addition_body(change: Change, catalog_id: int) -> dict[str, Any]:
    """The POST body creating the addition a create_line/create_delta/create_charge describes."""
    kind = _CREATE_MARKERS.get(change.action)
    if kind is None:
        raise ValueError(f"{change.action} does not create an addition")
    after = change.after
    effective = after.get("effective_date") or change.effective_date
    body: dict[str, Any] = {
        "product": {"id": int(catalog_id)},
        "quantity": int(after["quantity"]),
        "billCustomer": BILLABLE,
        "effectiveDate": cw_datetime(effective),
    }
    for key, prop in (("unit_price", "unitPrice"), ("unit_cost", "unitCost")):
        if after.get(key) is not None:
            body[prop] = json_number(after[key])
    if kind == CHARGE:
        # a one-off: in force on the invoice date only
        body["cancelledDate"] = cw_datetime(after.get("cancelled_date") or effective)
    elif kind == MAIN and after.get("cancelled_date"):
        body["cancelledDate"] = cw_datetime(after["cancelled_date"])
    if after.get("invoice_description") is not None:
        body["invoiceDescription"] = str(after["invoice_description"])[:INVOICE_DESCRIPTION_LIMIT]
    marker = Marker(kind, change.key if kind == CHARGE else None)
    body["description"] = with_marker(after.get("description"), marker)
    return body


def patch_operations(change: Change) -> list[dict[str, Any]]:
    """One `replace` op per value in `change.after` that an addition update may change."""
    ops: list[dict[str, Any]] = []
    for key, prop in _PATCHABLE:
        if key not in change.after:
            continue
        value = _patch_value(key, change.after[key])
        ops.append({"op": "replace", "path": f"/{prop}", "value": value})
    return ops


def _patch_value(key: str, value: Any) -> Any:
    if key == "quantity":
        return int(value)
    if key in ("unit_price", "unit_cost"):
        return json_number(value)
    if key == "invoice_description":
        return str(value or "")[:INVOICE_DESCRIPTION_LIMIT]
    if key == "cancelled_date":
        return cw_datetime(value) if value else None
    return value
