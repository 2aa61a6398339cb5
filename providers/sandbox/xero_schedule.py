"""Xero's repeating-invoice scheduler, emulated: on each scheduled date a repeating invoice
becomes an invoice with its lines as they stand that day.

The sandbox runs it at the first call of a day, before the call is answered, so a period's
invoice is made before that night's sync writes anything (billing.md 3.2: invoiced on the
period's first day, before the sync). A template saved as DRAFT makes draft invoices, an
AUTHORISED one approved invoices; a DELETED one, or one past its EndDate, makes none.
Monthly schedules repeat on the day of the month of their first date (`_anchorDay`), the
month's last day when it is shorter.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from providers.sandbox.vendor_dates import parse_date, xero_date
from providers.sandbox.xero_records import totals
from reconciler.billing.periods import add_months

Record = dict[str, Any]
SCHEDULED = ("AUTHORISED", "DRAFT")


def generate_due(world: dict[str, Any], today: date) -> int:
    """Make every invoice due on or before `today`; how many were made."""
    made = 0
    for template in world.get("repeatingInvoices", []):
        schedule = template.get("Schedule") or {}
        while template.get("Status") in SCHEDULED and _due(schedule, today):
            world.setdefault("invoices", []).append(
                _invoice(world, template, parse_date(schedule["NextScheduledDate"]))
            )
            _advance(schedule)
            made += 1
    return made


def _due(schedule: Record, today: date) -> bool:
    if not schedule.get("NextScheduledDate") or schedule.get("Unit") != "MONTHLY":
        return False
    day = parse_date(schedule["NextScheduledDate"])
    end = parse_date(schedule["EndDate"]) if schedule.get("EndDate") else None
    return day <= today and (end is None or day <= end)


def _advance(schedule: Record) -> None:
    day = parse_date(schedule["NextScheduledDate"])
    anchor = int(schedule.get("_anchorDay") or day.day)
    schedule["_anchorDay"] = anchor
    schedule["NextScheduledDate"] = xero_date(add_months(day, int(schedule.get("Period") or 1), anchor))


def _invoice(world: dict[str, Any], template: Record, day: date) -> Record:
    number = 1 + sum(1 for i in world.get("invoices", []) if i.get("Type") == "ACCREC")
    lines = [
        {
            **{k: v for k, v in line.items() if not k.startswith("_")},
            "LineItemID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{template['RepeatingInvoiceID']}/{day}/{n}")),
        }
        for n, line in enumerate(template.get("LineItems") or [])
    ]
    invoice: Record = {
        "InvoiceID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{template['RepeatingInvoiceID']}/{day}")),
        "Type": "ACCREC",
        "Contact": dict(template["Contact"]),
        "Date": xero_date(day),
        "DueDate": xero_date(day),
        "Status": template["Status"],
        "LineAmountTypes": template.get("LineAmountTypes", "Exclusive"),
        "InvoiceNumber": f"INV-{number:05d}",
        "Reference": template.get("Reference", ""),
        "CurrencyCode": template.get("CurrencyCode", "NZD"),
        "RepeatingInvoiceID": template["RepeatingInvoiceID"],
        "LineItems": lines,
        "UpdatedDateUTC": xero_date(day),
        "HasAttachments": False,
    }
    totals(invoice)
    return invoice
