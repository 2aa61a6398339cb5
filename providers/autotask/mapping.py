"""Pure conversion between Autotask JSON records and the model (no I/O).

Dates: Autotask's date-only fields are read and written by the rules of `dates.py`
(billing.md section 8): `zone` is the deployment's time zone when reading, the Autotask
database's when writing. Money becomes Decimal through its text.
A field that decides money or status and is missing, null, of the wrong type or a picklist
value we do not know raises ProviderError naming the record and the field: never a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask.dates import read_date, write_date
from providers.marker import Marker, read_marker, with_marker
from providers.record import VendorRecord, decimal, flag, string, whole
from reconciler.model.psa import CHARGE, MAIN, Agreement, CatalogItem, PsaId, PsaLine, UnitSpan
from reconciler.money import json_number
from reconciler.plan.change import Change

log = logging.getLogger(__name__)

INVOICE_DESCRIPTION_LIMIT = 100  # ContractService.invoiceDescription, per a live integration
CHARGE_NAME_LIMIT = 100
RECURRING_SERVICE = 7  # contractType picklist value of a Recurring Service contract
ACTIVE = 1  # contract status picklist value of an active contract
CHARGE_TYPE = 1  # chargeType picklist value written for invoice-line copies
CHARGE_STATUS = 1
# contractPeriodType picklist value -> months (values used by live integrations; a
# database may differ: read Contracts/entityInformation/fields when in doubt)
_PERIOD_MONTHS = {2: 1, 3: 3, 4: 6, 5: 12}


# -- values ---------------------------------------------------------------------------


def period_months(period_type: Any) -> int:
    """Months in a contract period, by its contractPeriodType picklist value. A value we do
    not know is an error: guessing the period would misprice every proration."""
    months = _PERIOD_MONTHS.get(whole(period_type))
    if months is None:
        raise ValueError(
            f"unknown contractPeriodType {period_type!r} (ncesync knows "
            f"{', '.join(str(v) for v in _PERIOD_MONTHS)}; read the picklist in "
            "Contracts/entityInformation/fields)"
        )
    return months


# -- records -> model -------------------------------------------------------------------


def companies_from_json(records: Iterable[dict[str, Any]]) -> dict[PsaId, str]:
    """Company names by id (the name is for messages only; a record without an id is an error)."""
    names: dict[PsaId, str] = {}
    for record in records:
        data = _record(record, "company")
        names[data.required("id", whole)] = data.optional("companyName", string) or ""
    return names


def agreement_from_json(record: dict[str, Any], *, zone: ZoneInfo, posted_through: date | None = None) -> Agreement:
    """A contract. Only a Recurring Service contract can carry seats; another type keeps its
    status and is reported by the engine through the lines it lacks (prorate stays None)."""
    data = _record(record, "contract")
    start = data.optional("startDate", lambda v: read_date(v, zone))
    recurring = data.optional("contractType", whole) == RECURRING_SERVICE
    if not recurring:
        log.warning(
            "autotask.mapping: contract=%s contractType=%r is not Recurring Service",
            record.get("id"),
            record.get("contractType"),
        )
    return Agreement(
        id=data.required("id", whole),
        company_id=data.required("companyID", whole),
        name=data.optional("contractName", string) or "",
        status="Active" if data.required("status", whole) == ACTIVE else "Inactive",
        prorate=None,
        start_date=start,
        end_date=data.optional("endDate", lambda v: read_date(v, zone)),
        # a recurring-service contract bills by its period; another type carries no seats
        period_months=data.required("contractPeriodType", period_months) if recurring else 1,
        billing_day=start.day if start else 1,
        posted_through=posted_through,
    )


def posted_through(unit_rows: Iterable[dict[str, Any]], *, zone: ZoneInfo) -> dict[int, date]:
    """Per contract: the end date of the latest unit row that has been approved and posted."""
    latest: dict[int, date] = {}
    for row in unit_rows:
        data = _record(row, "contract service unit row")
        end = data.optional("endDate", lambda v: read_date(v, zone))
        if not row.get("approveAndPostDate") or end is None:
            continue
        contract = data.required("contractID", whole)
        if contract not in latest or end > latest[contract]:
            latest[contract] = end
    return latest


def span_from_json(row: dict[str, Any], *, zone: ZoneInfo) -> UnitSpan:
    """A unit row; its dates and units are required (a missing count is not zero seats)."""
    data = _record(row, "contract service unit row")
    return UnitSpan(
        data.required("startDate", lambda v: read_date(v, zone)),
        data.required("endDate", lambda v: read_date(v, zone)),
        data.required("units", whole),
        posted=bool(row.get("approveAndPostDate")),
    )


def line_from_json(
    service: dict[str, Any], unit_rows: Iterable[dict[str, Any]], *, zone: ZoneInfo, rows_from: date
) -> PsaLine:
    """A contract service as a main line; its spans are its unit rows, oldest first.

    `rows_from`: the first day whose unit rows were read (every row ending on or after it),
    so that a service whose rows begin after it is known to have been created then."""
    data = _record(service, "contract service")
    spans = sorted(
        ((span_from_json(r, zone=zone), r.get("price")) for r in unit_rows),
        key=lambda pair: (pair[0].start or date.min, pair[0].end or date.max),
    )
    return PsaLine(
        id=data.required("id", whole),
        agreement_id=data.required("contractID", whole),
        product_id=str(data.required("serviceID", whole)),
        kind=MAIN,
        spans=tuple(span for span, _ in spans),
        dated_change_days=adjustment_days(spans, rows_from),
        unit_price=data.required("unitPrice", decimal),
        unit_cost=data.optional("unitCost", decimal) or Decimal("0"),
        description=data.optional("internalDescription", string) or "",
        invoice_description=data.optional("invoiceDescription", string) or "",
    )


def adjustment_days(rows: list[tuple[UnitSpan, Any]], rows_from: date) -> frozenset[date]:
    """The days on which an adjustment of the service is dated, as its unit rows show them.

    Autotask takes one adjustment per service and date and cannot list them, but each one
    leaves its mark on the rows: from its date on, the units (or the adjusted price)
    differ from the day before; and the adjustment that created the service starts its
    first row. A row that follows another with the same units and price is only the next
    billing period."""
    days = set()
    for span, price in rows:
        if span.start is None:
            continue
        before = span.start - timedelta(days=1)
        previous = [(s, p) for s, p in rows if s.end == before]
        if not previous:
            if before >= rows_from:  # the row of that day would have been read: there is none
                days.add(span.start)
        elif any(s.units != span.units or _price(p) != _price(price) for s, p in previous):
            days.add(span.start)
    return frozenset(days)


def _price(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except ArithmeticError:  # an unreadable price cannot show a change: the units still do
        return None


def charge_from_json(record: dict[str, Any], product_id: str, *, zone: ZoneInfo) -> PsaLine:
    """A contract charge as a one-day line on its purchase date; `key` from our marker."""
    data = _record(record, "contract charge")
    description = data.optional("description", string) or ""
    marker = read_marker(description)
    day = data.required("datePurchased", lambda v: read_date(v, zone))
    return PsaLine(
        id=data.required("id", whole),
        agreement_id=data.required("contractID", whole),
        product_id=product_id,
        kind=CHARGE,
        spans=(UnitSpan(day, day, data.required("unitQuantity", whole)),),
        unit_price=data.required("unitPrice", decimal),
        unit_cost=data.optional("unitCost", decimal) or Decimal("0"),
        description=description,
        invoice_description=data.optional("name", string) or "",
        key=marker.key if marker.kind == CHARGE else None,
        billed=data.required("isBilled", flag),
    )


def catalog_item_from_json(record: dict[str, Any]) -> CatalogItem:
    """A service; its unit price is the default profile price, so it is required."""
    data = _record(record, "service")
    service = data.required("id", whole)
    return CatalogItem(
        product_id=str(service),
        id=service,
        description=data.optional("name", string) or "",
        price=data.required("unitPrice", decimal),
        cost=data.optional("unitCost", decimal) or Decimal("0"),
    )


# -- model -> request bodies ------------------------------------------------------------


def adjustment_body(change: Change, *, database_zone: ZoneInfo) -> dict[str, Any]:
    """The ContractServiceAdjustment a create_adjustment describes (`unitChange` signed)."""
    after = change.after
    body: dict[str, Any] = {
        "contractID": int(after.get("contract_id") or change.agreement_id),
        "serviceID": service_id(change),
        "unitChange": int(after["quantity"]),
        "effectiveDate": write_date(after.get("effective_date") or change.effective_date, database_zone),
    }
    for key, field in (("unit_price", "adjustedUnitPrice"), ("unit_cost", "adjustedUnitCost")):
        if after.get(key) is not None:
            body[field] = json_number(after[key])
    return body


def service_patch(change: Change, contract_service_id: int) -> dict[str, Any]:
    """The sparse PATCH body of a contract service: `id` plus the drifted fields only."""
    body: dict[str, Any] = {"id": int(contract_service_id)}
    if "unit_price" in change.after:
        body["unitPrice"] = json_number(change.after["unit_price"])
    if "unit_cost" in change.after:
        body["unitCost"] = json_number(change.after["unit_cost"])
    if "invoice_description" in change.after:
        body["invoiceDescription"] = invoice_description(change.after["invoice_description"])
    return body


def invoice_description(text: Any) -> str:
    return str(text or "")[:INVOICE_DESCRIPTION_LIMIT]


def charge_body(
    change: Change, *, name: str, database_zone: ZoneInfo, billing_code_id: int | None = None
) -> dict[str, Any]:
    """The ContractCharge a create_charge describes; the description carries our marker."""
    after = change.after
    body: dict[str, Any] = {
        "name": name[:CHARGE_NAME_LIMIT],
        "description": with_marker(after.get("description"), Marker(CHARGE, change.key)),
        "datePurchased": write_date(after.get("effective_date") or change.effective_date, database_zone),
        "unitQuantity": int(after["quantity"]),
        "isBillableToCompany": True,
        "chargeType": CHARGE_TYPE,
        "status": CHARGE_STATUS,
    }
    for key, field in (("unit_price", "unitPrice"), ("unit_cost", "unitCost")):
        if after.get(key) is not None:
            body[field] = json_number(after[key])
    if billing_code_id is not None:
        body["billingCodeID"] = int(billing_code_id)
    return body


def charge_patch(change: Change) -> dict[str, Any]:
    """A correction of an unbilled charge: its id and only the fields that differ."""
    body: dict[str, Any] = {"id": int(change.line_id or 0)}
    for key, field in (("quantity", "unitQuantity"), ("unit_price", "unitPrice"), ("unit_cost", "unitCost")):
        if change.after.get(key) is not None:
            body[field] = int(change.after[key]) if key == "quantity" else json_number(change.after[key])
    return body


def service_id(change: Change) -> int:
    """The Autotask service a change is about: `after.service_id`, else the product id."""
    value = change.after.get("service_id") or change.after.get("catalog_id") or change.product_id
    return int(str(value))


def _record(record: Any, entity: str) -> VendorRecord:
    label = record.get("id") if isinstance(record, dict) else None
    return VendorRecord(record, f"Autotask {entity} {label!r}")
