"""The Xero organisation of a generated deployment: a contact per client (and a few more),
the NCE products as items, and a monthly repeating invoice per mapped client billed on the
1st, its licence lines beside a managed-services line ncesync leaves alone."""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from providers.sandbox.catalogue import MAPPED, UNMAPPED, NceProduct
from providers.sandbox.client_plan import ClientPlan
from providers.sandbox.generated_world import seats_in_psa
from providers.sandbox.vendor_dates import xero_date
from providers.sandbox.xero_records import totals
from reconciler.billing.periods import add_months

SALES_ACCOUNT, TAX_TYPE = "200", "OUTPUT2"  # NZ sales, GST 15 %


def xero_id(kind: str, key: object) -> str:
    """A stable UUID for a generated record: same seed, same ids."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ncesync-sandbox/xero/{kind}/{key}"))


def contact_id(plan: ClientPlan) -> str:
    return xero_id("contact", plan.tenant_id)


def repeating_invoice_id(plan: ClientPlan) -> str:
    return xero_id("repeating-invoice", plan.tenant_id)


def xero_world(plans: list[ClientPlan], today: date, *, lines: bool, rng: random.Random) -> dict[str, Any]:
    world: dict[str, Any] = {
        "contacts": [
            {"ContactID": contact_id(p), "Name": p.name, "ContactStatus": "ACTIVE", "IsCustomer": True} for p in plans
        ],
        "items": [_item(p) for p in MAPPED + UNMAPPED],
        "repeatingInvoices": [],
        "invoices": [],
    }
    for plan in (p for p in plans if p.mapped):
        products = plan.products() if lines else []
        seats = [(p, seats_in_psa(plan, p, rng)) for p in products]
        world["repeatingInvoices"].append(_template(plan, [(p, n) for p, n in seats if n is not None], today))
    return world


def _item(product: NceProduct) -> dict[str, Any]:
    return {
        "ItemID": xero_id("item", product.key),
        "Code": product.psa_product,
        "Name": product.name[:50],
        "Description": product.name,
        "IsSold": True,
        "IsPurchased": True,
        "IsTrackedAsInventory": False,
        "SalesDetails": {"UnitPrice": float(product.monthly_price), "AccountCode": SALES_ACCOUNT, "TaxType": TAX_TYPE},
        "PurchaseDetails": {"UnitPrice": float(product.monthly_cost), "AccountCode": "300", "TaxType": "INPUT2"},
    }


def _template(plan: ClientPlan, seats: list[tuple[NceProduct, int]], today: date) -> dict[str, Any]:
    lines = [
        {
            "LineItemID": xero_id("line", f"{plan.tenant_id}/{p.key}"),
            "ItemCode": p.psa_product,
            "Description": f"{p.name} x {n}",
            "Quantity": float(n),
            "UnitAmount": float(p.monthly_price),
            "AccountCode": SALES_ACCOUNT,
            "TaxType": TAX_TYPE,
            "_addedOn": plan.start.isoformat(),
        }
        for p, n in seats
    ]
    lines.append(
        {
            "LineItemID": xero_id("line", f"{plan.tenant_id}/services"),
            "Description": "Managed IT services",
            "Quantity": 1.0,
            "UnitAmount": 450.0,
            "AccountCode": SALES_ACCOUNT,
            "TaxType": TAX_TYPE,
        }
    )
    for line in lines:
        amount = Decimal(str(line["Quantity"])) * Decimal(str(line["UnitAmount"]))
        line.update(
            LineAmount=float(amount), TaxAmount=float((amount * Decimal("0.15")).quantize(Decimal("0.01"))), Tracking=[]
        )
    template_id = repeating_invoice_id(plan)
    template = {
        "RepeatingInvoiceID": template_id,
        "ID": template_id,
        "Type": "ACCREC",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": contact_id(plan), "Name": plan.name},
        "LineAmountTypes": "Exclusive",
        "Reference": f"{plan.name} - IT services",
        "CurrencyCode": "NZD",
        "HasAttachments": False,
        "ApprovedForSending": False,
        "SendCopy": False,
        "MarkAsSent": False,
        "IncludePDF": False,
        "Schedule": {
            "Period": 1,
            "Unit": "MONTHLY",
            "DueDate": 20,
            "DueDateType": "OFFOLLOWINGMONTH",
            "StartDate": xero_date(plan.start),
            "NextScheduledDate": xero_date(add_months(today.replace(day=1), 1)),
            "_anchorDay": 1,
        },
        "LineItems": lines,
    }
    totals(template)
    return template
