"""Pure conversion between ConnectWise JSON records and the model (no I/O).

Dates: CW sends date-times (`2024-06-15T00:00:00Z`) for what are calendar dates in practice;
we take the date part as written (no time-zone shift) and write dates back as midnight UTC.
Money: every amount becomes a Decimal through its text, never through float arithmetic.
A field that decides money or status and is missing, null, of the wrong type or an enum
value we do not know raises ProviderError naming the record and the field: never a guess.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from providers.marker import Marker, read_marker, with_marker
from providers.record import VendorRecord, decimal, flag, string, whole
from reconciler.model.psa import CHARGE, DELTA, MAIN, Agreement, CatalogItem, PsaId, PsaLine, UnitSpan
from reconciler.money import json_number
from reconciler.plan import change as actions
from reconciler.plan.change import Change

INVOICE_DESCRIPTION_LIMIT = 6000  # Addition.invoiceDescription "Max length: 6000"
BILLABLE = "Billable"
BILL_CUSTOMER = (BILLABLE, "DoNotBill", "NoCharge")  # an addition's billCustomer (the document's enum)
CANCELLED = "Cancelled"
AGREEMENT_STATUSES = ("Active", "Cancelled", "Expired", "Inactive")  # the 2026.4 enum
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$")

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
    """The calendar date of a CW date-time (its date part, as written). ValueError for
    anything that is not an ISO date or date-time text."""
    if value is None or value == "":
        return None
    found = _DATE_TIME.match(value) if isinstance(value, str) else None
    if not found:
        raise ValueError("expected an ISO date-time like 2024-06-15T00:00:00Z")
    return date.fromisoformat(found.group(1))


def cw_datetime(day: date | str) -> str:
    """A date as CW writes date-only values: `YYYY-MM-DDT00:00:00Z`."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.isoformat()}T00:00:00Z"


def period_months(name: Any) -> int:
    """Months in a billing cycle, by its name (a BillingCycleReference's `name`). A cycle
    we do not know is an error: guessing its length would misprice every proration."""
    months = _PERIOD_MONTHS.get(string(name).strip().lower())
    if months is None:
        raise ValueError(
            f"unknown billing cycle {name!r} (ncesync knows Monthly, Quarterly, Semi-Annual and Annual/Yearly)"
        )
    return months


# -- records -> model -------------------------------------------------------------------


def companies_from_json(records: list[dict[str, Any]]) -> dict[PsaId, str]:
    """Company names by id (the name is for messages only; a record without an id is an error)."""
    names: dict[PsaId, str] = {}
    for record in records:
        data = VendorRecord(record, f"ConnectWise company {_label(record)}")
        names[data.required("id", whole)] = data.optional("name", string) or ""
    return names


def agreement_from_json(record: dict[str, Any]) -> Agreement:
    """Status, prorate flag and billing cycle decide how (and whether) a licence is billed:
    all required, and an enum value we do not know is an error."""
    data = VendorRecord(record, f"ConnectWise agreement {_label(record)}")
    status = data.text("agreementStatus")
    if status not in AGREEMENT_STATUSES:
        raise data.error(
            f"{data.where}: field agreementStatus: unknown status {status!r} "
            f"(expected one of {', '.join(AGREEMENT_STATUSES)})"
        )
    if data.optional("cancelledFlag", flag):
        status = CANCELLED
    start = data.optional("startDate", cw_date)
    bill_start = data.optional("billStartDate", cw_date) or start
    return Agreement(
        id=data.required("id", whole),
        company_id=data.nested("company").required("id", whole),
        name=data.optional("name", string) or "",
        status=status,
        prorate=data.required("prorateFlag", flag),
        start_date=start,
        end_date=data.optional("endDate", cw_date),
        period_months=data.nested("billingCycle").required("name", period_months),
        billing_day=bill_start.day if bill_start else 1,
        cycle_start=bill_start,
    )


def line_from_json(record: dict[str, Any], agreement_id: int) -> PsaLine:
    """One addition as a PsaLine with one span (effective .. cancelled, quantity).

    Quantity, product and price are required: a damaged addition must stop the run, not be
    read as zero seats or as "no line" (which would plan a duplicate).
    """
    data = VendorRecord(record, lambda: f"ConnectWise addition {_label(record)} of agreement {agreement_id}")
    description = data.optional("description", string) or ""
    marker = read_marker(description)
    return PsaLine(
        id=data.required("id", whole),
        agreement_id=data.optional("agreementId", whole) or agreement_id,
        product_id=data.nested("product").text("identifier"),
        kind=marker.kind,
        spans=(
            UnitSpan(
                data.optional("effectiveDate", cw_date),
                data.optional("cancelledDate", cw_date),
                data.required("quantity", whole),
            ),
        ),
        unit_price=data.required("unitPrice", decimal),
        unit_cost=data.optional("unitCost", decimal) or Decimal("0"),
        description=description,
        invoice_description=data.optional("invoiceDescription", string) or "",
        key=marker.key,
        free_of_charge=_free_of_charge(data),
    )


def _free_of_charge(data: VendorRecord) -> bool:
    """`billCustomer` DoNotBill or NoCharge: the addition is on no invoice (unset: billable)."""
    bill = data.optional("billCustomer", string)
    if bill not in (None, *BILL_CUSTOMER):
        raise data.error(
            f"{data.where}: field billCustomer: unknown value {bill!r} (expected one of {', '.join(BILL_CUSTOMER)})"
        )
    return bill in ("DoNotBill", "NoCharge")


def catalog_item_from_json(record: dict[str, Any]) -> CatalogItem:
    """A catalogue item; its price is the default profile price, so it is required."""
    data = VendorRecord(record, f"ConnectWise catalog item {_label(record, 'identifier')}")
    return CatalogItem(
        product_id=data.text("identifier"),
        id=data.required("id", whole),
        description=data.optional("description", string) or "",
        price=data.required("price", decimal),
        cost=data.optional("cost", decimal) or Decimal("0"),
    )


def _label(record: Any, name: str = "id") -> str:
    """How messages name a record: its id (or identifier) as sent."""
    return repr(record.get(name)) if isinstance(record, dict) else "(not an object)"


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
