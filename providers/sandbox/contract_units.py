"""Autotask recurring-service units: one row per billing period, changed only by adjustments.

Rows step monthly from the contract start date up to its end date (or 24 months past the
sandbox's today when open-ended). An adjustment splits the row containing its effective
date and adds `unitChange` from that date on, as Autotask does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from providers.sandbox.store import WorldStore
from providers.sandbox.vendor_dates import at_datetime, parse_date
from reconciler.billing.periods import add_months

VENDOR = "autotask"
OPEN_ENDED_MONTHS = 24
OUTSIDE = "effectiveDate must be between the start date and end date of the Contract"
DUPLICATE = "Attempt to insert duplicate data into contract_service_period"


class AdjustmentError(ValueError):
    """Autotask refuses the adjustment; the message is the vendor's text."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def contract_periods(contract: dict[str, Any], today: date) -> list[Period]:
    start = parse_date(contract["startDate"])
    end = parse_date(contract["endDate"]) if contract.get("endDate") else add_months(today, OPEN_ENDED_MONTHS)
    periods: list[Period] = []
    k = 0
    while True:
        first = add_months(start, k, start.day)
        if first > end:
            return periods
        last = min(add_months(start, k + 1, start.day) - timedelta(days=1), end)
        periods.append(Period(first, last))
        k += 1


def create_unit_rows(
    store: WorldStore, contract: dict[str, Any], service: dict[str, Any], *, since: date, units: int = 0
) -> None:
    """Rows of a new contract service for every period ending on or after `since`."""
    rows = store.records(VENDOR, "contractServiceUnits")
    for period in contract_periods(contract, store.today()):
        if period.end < since:
            continue
        rows.append(
            {
                "id": store.next_id(VENDOR, "contractServiceUnits"),
                "contractID": contract["id"],
                "contractServiceID": service["id"],
                "serviceID": service["serviceID"],
                "startDate": at_datetime(max(period.start, since)),
                "endDate": at_datetime(period.end),
                "units": units,
                "price": service.get("unitPrice"),
                "cost": service.get("unitCost"),
                "approveAndPostDate": None,
            }
        )


def apply_adjustment(store: WorldStore, body: dict[str, Any]) -> dict[str, Any]:
    """Record one ContractServiceAdjustment and change the unit rows; return the stored record."""
    contract = _contract(store, body.get("contractID"))
    effective = _effective(body)
    start = parse_date(contract["startDate"])
    end = parse_date(contract["endDate"]) if contract.get("endDate") else None
    if effective < start or (end and effective > end):
        raise AdjustmentError(OUTSIDE)
    service_id = body.get("serviceID")
    adjustments = store.records(VENDOR, "contractServiceAdjustments")
    if any(
        a.get("serviceID") == service_id and parse_date(str(a.get("effectiveDate"))) == effective
        for a in store.index(VENDOR, "contractServiceAdjustments", "contractID").lookup(contract["id"])
    ):
        raise AdjustmentError(DUPLICATE)
    change = body.get("unitChange", 0)
    if isinstance(change, bool) or not isinstance(change, int):
        raise AdjustmentError("unitChange must be an integer")
    existing = _find_service(store, contract["id"], service_id)
    rows = _rows_of(store, existing["id"]) if existing else []
    later = [r for r in rows if parse_date(r["endDate"]) >= effective]
    if any(r["units"] + change < 0 for r in later) or (existing is None and change < 0):
        raise AdjustmentError("The resulting number of units cannot be negative")
    if existing is None:
        contract_service = _new_service(store, contract, service_id, body, effective)
        rows = _rows_of(store, contract_service["id"])
    else:
        contract_service = existing
    for row in _split_at(store, rows, effective):
        if parse_date(row["startDate"]) >= effective:
            row["units"] += change
            for money, key in (("adjustedUnitPrice", "price"), ("adjustedUnitCost", "cost")):
                if body.get(money) is not None:
                    row[key] = body[money]
    for money, key in (("adjustedUnitPrice", "unitPrice"), ("adjustedUnitCost", "unitCost")):
        if body.get(money) is not None:
            contract_service[key] = body[money]
    record = dict(
        body,
        id=store.next_id(VENDOR, "contractServiceAdjustments"),
        contractServiceID=contract_service["id"],
        effectiveDate=at_datetime(effective),
    )
    adjustments.append(record)
    return record


def _contract(store: WorldStore, contract_id: Any) -> dict[str, Any]:
    found = store.find(VENDOR, "contracts", contract_id) if isinstance(contract_id, int) else None
    contract = found if found is not None and found.get("id") == contract_id else None
    if contract is None:
        raise AdjustmentError(f"Contract {contract_id} does not exist")
    return contract


def _effective(body: dict[str, Any]) -> date:
    try:
        return parse_date(str(body["effectiveDate"]))
    except (KeyError, ValueError) as exc:
        raise AdjustmentError("effectiveDate is required and must be a date") from exc


def _find_service(store: WorldStore, contract_id: Any, service_id: Any) -> dict[str, Any] | None:
    return next(
        (
            s
            for s in store.index(VENDOR, "contractServices", "contractID").lookup(contract_id)
            if s.get("contractID") == contract_id and s.get("serviceID") == service_id
        ),
        None,
    )


def _new_service(
    store: WorldStore, contract: dict[str, Any], service_id: Any, body: dict[str, Any], effective: date
) -> dict[str, Any]:
    """Autotask creates the contract service on the first adjustment for it."""
    services = store.records(VENDOR, "contractServices")
    found = store.find(VENDOR, "services", service_id) if isinstance(service_id, int) else None
    service = found if found is not None and found.get("id") == service_id else None
    if service is None:
        raise AdjustmentError(f"Service {service_id} does not exist")
    price = body.get("adjustedUnitPrice", service.get("unitPrice"))
    cost = body.get("adjustedUnitCost", service.get("unitCost"))
    created = {
        "id": store.next_id(VENDOR, "contractServices"),
        "contractID": contract["id"],
        "serviceID": service_id,
        "unitPrice": price,
        "unitCost": cost,
        "invoiceDescription": service.get("invoiceDescription"),
        "internalDescription": None,
    }
    services.append(created)
    create_unit_rows(store, contract, created, since=effective)
    return created


def _rows_of(store: WorldStore, contract_service_id: int) -> list[dict[str, Any]]:
    """The unit rows of one contract service (through the index: a world at MSP scale holds
    over a million of them)."""
    rows = store.index(VENDOR, "contractServiceUnits", "contractServiceID").lookup(contract_service_id)
    return [r for r in rows if r["contractServiceID"] == contract_service_id]


def _split_at(store: WorldStore, rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """A service's `rows`, the one containing `day` split in two so a row starts on `day`
    (the new row is added to the world as well)."""
    mine = list(rows)
    for row in rows:
        start, end = parse_date(row["startDate"]), parse_date(row["endDate"])
        if start < day <= end:
            row["endDate"] = at_datetime(day - timedelta(days=1))
            tail = dict(
                row,
                id=store.next_id(VENDOR, "contractServiceUnits"),
                startDate=at_datetime(day),
                endDate=at_datetime(end),
            )
            store.records(VENDOR, "contractServiceUnits").append(tail)
            mine.append(tail)
    return sorted(mine, key=lambda r: (parse_date(r["startDate"]), r["id"]))
