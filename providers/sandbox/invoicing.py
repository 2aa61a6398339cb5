"""The sandbox's invoice simulation: what the emulated PSA would invoice for a period.

It turns world records into line histories and hands them to the billing rules'
`invoice_for_period` (billing.md 3.1), so tests and demos can check the money a sync makes,
not only the records it writes. ConnectWise additions carry `_history` (the quantity each
sync day wrote); Autotask contract services carry their unit rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from providers.sandbox.vendor_dates import parse_date
from reconciler.billing.invoice import LineVersion, invoice_for_period
from reconciler.billing.periods import AUTOTASK, CONNECTWISE, Period
from reconciler.model.specs import ADVANCE

BEGINNING = date(1900, 1, 1)


def connectwise_invoice(world: dict[str, Any], agreement_id: int, period: Period, *, style: str = ADVANCE) -> Decimal:
    """The invoice of a ConnectWise agreement for `period`; prorate is the agreement's flag."""
    cw = world["connectwise"]
    agreement = next(a for a in cw["agreements"] if a["id"] == agreement_id)
    versions = []
    for addition in cw["additions"]:
        if addition["agreementId"] != agreement_id or addition.get("billCustomer", "Billable") != "Billable":
            continue
        for entry in addition.get("_history") or [{"recordedOn": BEGINNING.isoformat(), "quantity": addition["quantity"]}]:
            versions.append(LineVersion(
                line_id=addition["id"],
                quantity=int(entry["quantity"]),
                unit_price=Decimal(str(addition["unitPrice"])),
                effective=_day(addition.get("effectiveDate")),
                cancelled=_day(addition.get("cancelledDate")),
                recorded_on=date.fromisoformat(entry["recordedOn"]),
            ))
    return invoice_for_period(versions, style=style, prorate=bool(agreement.get("prorateFlag")), period=period, psa_kind=CONNECTWISE)


def autotask_invoice(world: dict[str, Any], contract_id: int, period: Period, *, style: str = ADVANCE, prorate: bool = True) -> Decimal:
    """The invoice of an Autotask contract's services for `period`, from their unit rows."""
    at = world["autotask"]
    prices = {cs["id"]: Decimal(str(cs["unitPrice"])) for cs in at["contractServices"] if cs["contractID"] == contract_id}
    versions = [
        LineVersion(
            line_id=row["id"],
            quantity=int(row["units"]),
            unit_price=Decimal(str(row.get("price") or prices[row["contractServiceID"]])),
            effective=_day(row["startDate"]),
            cancelled=_day(row["endDate"]),
            recorded_on=BEGINNING,
        )
        for row in at["contractServiceUnits"]
        if row["contractID"] == contract_id
    ]
    return invoice_for_period(versions, style=style, prorate=prorate, period=period, psa_kind=AUTOTASK)


def _day(value: str | None) -> date | None:
    return parse_date(value) if value else None
