"""The conformance kit for Xero, whose Accounting API the sandbox emulates.

Each client is a contact with one monthly repeating invoice (on the client's billing day)
holding a line per product with seats, beside a line ncesync does not manage ("Managed
services", which every write must keep). The kit reads back, from the world as Xero holds
it (not through the provider under test):

* the count on a day: the template line's quantity, from the day the line was added;
* a period's invoice: the invoice Xero's scheduler made from the template on the period's
  first day (advance: before that night's sync) or on the day after its last (arrears:
  after the last day's sync), or, not made yet, what the template would make now; plus
  the catch-up lines ncesync put on draft invoices for a change inside the period.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from providers.sandbox.faults import Fault
from providers.sandbox.vendor_dates import parse_date, xero_date
from providers.sandbox.xero_records import totals
from tests.conformance.kit import KitClient, KitProduct

ONE_DAY = timedelta(days=1)
UNMANAGED = {
    "Description": "Managed services (monthly)",
    "Quantity": 1.0,
    "UnitAmount": 150.0,
    "AccountCode": "200",
    "TaxType": "OUTPUT2",
}
_CATCH_UP = re.compile(r"\[ncesync:charge (\S+) catch-up/(\d{4}-\d{2}-\d{2})/[^\]]*\]\s*$")


def _id(kind: str, number: int | str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ncesync-xero-kit/{kind}/{number}"))


@dataclass
class XeroPsa:
    sandbox: Any  # SandboxServer
    templates: dict[int, str]  # KitClient.agreement_id -> RepeatingInvoiceID
    psa_settings: dict[str, Any] = field(default_factory=lambda: {"provider": "xero", "endpoint": "sandbox"})
    environ: dict[str, str] = field(default_factory=dict)

    def set_today(self, day: date) -> None:
        self.sandbox.clock = day

    def fail_write(self, index: int) -> None:
        self.sandbox.faults.add(
            Fault(kind="status", status=500, vendor="xero", write_index=self.sandbox.writes + index)
        )

    def close(self) -> None:
        """The sandbox belongs to the suite, which stops it."""

    def count_on(self, agreement_id: int, product_id: str, day: date) -> int:
        return sum(
            int(line["Quantity"])
            for line in self._template(agreement_id).get("LineItems", [])
            if line.get("ItemCode") == product_id and date.fromisoformat(line.get("_addedOn", "2024-01-01")) <= day
        )

    def invoice(
        self, agreement_id: int, product_id: str, period: tuple[date, date], *, style: str, prorate: bool
    ) -> Decimal:
        template = self._template(agreement_id)
        made_on = period[0] if style == "advance" else period[1] + ONE_DAY
        invoices = self.sandbox.records("xero", "invoices")
        made = next(
            (
                i
                for i in invoices
                if i.get("RepeatingInvoiceID") == template["RepeatingInvoiceID"] and parse_date(i["Date"]) == made_on
            ),
            None,
        )
        lines = (made or template).get("LineItems", [])
        whole = sum((_amount(x) for x in lines if x.get("ItemCode") == product_id), Decimal("0.00"))
        return whole + self._catch_ups(invoices, template["RepeatingInvoiceID"], product_id, period)

    def _catch_ups(
        self, invoices: list[dict[str, Any]], template_id: str, product_id: str, period: tuple[date, date]
    ) -> Decimal:
        total = Decimal("0.00")
        for invoice in invoices:
            if not invoice.get("_createdBy") or invoice.get("Status") in ("DELETED", "VOIDED"):
                continue
            for line in invoice.get("LineItems", []):
                found = _CATCH_UP.search(line.get("Description", ""))
                if (
                    found
                    and found.group(1).lower() == template_id
                    and line.get("ItemCode") == product_id
                    and period[0] <= date.fromisoformat(found.group(2)) <= period[1]
                ):
                    total += _amount(line)
        return total

    def _template(self, agreement_id: int) -> dict[str, Any]:
        wanted = self.templates[agreement_id]
        (template,) = self.sandbox.records("xero", "repeatingInvoices", lambda t: t["RepeatingInvoiceID"] == wanted)
        return template


def _amount(line: dict[str, Any]) -> Decimal:
    return Decimal(str(line["LineAmount"])).quantize(Decimal("0.01"))


class XeroKit:
    provider = "xero"

    def product_id(self, product: KitProduct) -> str:
        return product.key.upper()

    def psa_ids(self, client: KitClient) -> tuple[str, str]:
        return _id("contact", client.company_id), _id("repeating-invoice", client.agreement_id)

    def open(
        self,
        root: Path,
        *,
        sandbox: Any,
        clients: tuple[KitClient, ...],
        products: tuple[KitProduct, ...],
        seats: dict[tuple[int, str], int],
        prorate: bool,
        timezone: str,
        start: date,
    ) -> XeroPsa:
        world: dict[str, Any] = {
            "contacts": [{"ContactID": self.psa_ids(c)[0], "Name": c.name, "ContactStatus": "ACTIVE"} for c in clients],
            "items": [
                {
                    "ItemID": _id("item", p.key),
                    "Code": self.product_id(p),
                    "Name": p.name[:50],
                    "IsSold": True,
                    "IsPurchased": True,
                    "SalesDetails": {"UnitPrice": float(p.price), "AccountCode": "200", "TaxType": "OUTPUT2"},
                    "PurchaseDetails": {"UnitPrice": float(p.cost), "AccountCode": "300"},
                }
                for p in products
            ],
            "repeatingInvoices": [self._template(c, products, seats, start) for c in clients],
            "invoices": [],
        }
        with sandbox.store.lock:
            sandbox.store.data["xero"] = world
        return XeroPsa(sandbox, {c.agreement_id: self.psa_ids(c)[1] for c in clients})

    def _template(
        self, c: KitClient, products: tuple[KitProduct, ...], seats: dict[tuple[int, str], int], start: date
    ) -> dict[str, Any]:
        contact, template_id = self.psa_ids(c)
        lines = [
            {
                "LineItemID": _id("line", f"{c.agreement_id}/{p.key}"),
                "ItemCode": self.product_id(p),
                "Description": f"{p.name} x {seats[(c.agreement_id, p.key)]}",
                "Quantity": float(seats[(c.agreement_id, p.key)]),
                "UnitAmount": float(p.price),
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
                "_addedOn": "2024-01-01",
            }
            for p in products
            if (c.agreement_id, p.key) in seats
        ]
        lines.append({"LineItemID": _id("line", f"{c.agreement_id}/services"), **UNMANAGED})
        for line in lines:
            amount = Decimal(str(line["Quantity"])) * Decimal(str(line["UnitAmount"]))
            line.update(
                LineAmount=float(amount),
                TaxAmount=float((amount * Decimal("0.15")).quantize(Decimal("0.01"))),
                Tracking=[],
            )
        next_date = (
            start.replace(day=c.billing_day)
            if start.day <= c.billing_day
            else ((start.replace(day=1) + timedelta(days=32)).replace(day=c.billing_day))
        )
        template = {
            "RepeatingInvoiceID": template_id,
            "ID": template_id,
            "Type": "ACCREC",
            "Status": "AUTHORISED",
            "Contact": {"ContactID": contact, "Name": c.name},
            "LineAmountTypes": "Exclusive",
            "Reference": f"{c.name} licences",
            "CurrencyCode": "NZD",
            "HasAttachments": False,
            "Schedule": {
                "Period": 1,
                "Unit": "MONTHLY",
                "DueDate": 20,
                "DueDateType": "OFFOLLOWINGMONTH",
                "StartDate": xero_date(date(2024, 1, c.billing_day)),
                "NextScheduledDate": xero_date(next_date),
                "_anchorDay": c.billing_day,
            },
            "LineItems": lines,
        }
        totals(template)
        return template
