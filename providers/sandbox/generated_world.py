"""The world records of a generated deployment: DD subscriptions and invoices, PSA lines."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from providers.sandbox.catalogue import MAPPED, UNMAPPED, NceProduct
from providers.sandbox.client_plan import ClientPlan, PlannedSubscription
from providers.sandbox.contract_units import contract_periods
from providers.sandbox.vendor_dates import at_datetime, cw_datetime, dd_line_date
from reconciler.billing.periods import add_months

CONTRACT_YEARS = 3
SERVICE_ID_BASE = 9001


def service_id(product: NceProduct) -> int:
    return SERVICE_ID_BASE + (MAPPED + UNMAPPED).index(product)


def dickerdata_world(plans: list[ClientPlan], today: date, *, invoices: bool, rng: random.Random) -> dict[str, Any]:
    subs = [_dd_subscription(p, s, today) for p in plans for s in p.subscriptions]
    world: dict[str, Any] = {
        "customers": [{"TenantId": p.tenant_id, "CompanyName": p.name} for p in plans],
        "subscriptions": subs,
        "invoices": _invoices(plans, today, rng) if invoices else [],
    }
    return world


def _dd_subscription(plan: ClientPlan, sub: PlannedSubscription, today: date) -> dict[str, Any]:
    p = sub.product
    step = 12 if p.billing_frequency == "Annual" else 1
    last_billing = sub.start
    while add_months(last_billing, step, sub.start.day) <= today:
        last_billing = add_months(last_billing, step, sub.start.day)
    return {
        "SubscriptionId": sub.subscription_id,
        "TenantId": plan.tenant_id,
        "CompanyName": plan.name,
        "StockCode": p.stock_code,
        "StockDescription": p.description,
        "ConfirmedQuantity": sub.quantity,
        "Status": sub.status,
        "BillingFrequency": p.billing_frequency,
        "UnitPrice": f"{p.unit_price:.2f}",
        "UnitRRP": f"{p.monthly_price * step:.2f}",
        "LastBillingDate": last_billing.isoformat(),
        "NextBillingDate": add_months(last_billing, step, sub.start.day).isoformat(),
        "ExpiryDate": (add_months(sub.start, p.term_months) - timedelta(days=1)).isoformat(),
        "IsTrial": False,
    }


def _invoices(plans: list[ClientPlan], today: date, rng: random.Random) -> list[dict[str, Any]]:
    """Two monthly invoices (last month and this month); the latest carries one refund line."""
    out = []
    for back in (1, 0):
        day = add_months(today.replace(day=1), -back)
        lines = [
            _line(p, s, day)
            for p in plans
            if p.mapped
            for s in p.subscriptions
            if s.status == "ACTIVE" and s.product in MAPPED and s.product.billing_frequency == "Monthly"
        ]
        if back == 0 and lines:
            lines.append(_refund(lines[0], day))
        out.append(
            {"InvoiceNumber": f"INV{rng.randint(1_000_000, 9_999_999)}", "InvoiceDate": day.isoformat(), "Lines": lines}
        )
    return out


def _line(plan: ClientPlan, sub: PlannedSubscription, day: date) -> dict[str, Any]:
    period_end = add_months(day, 1) - timedelta(days=1)
    price = sub.product.unit_price
    return {
        "TenantId": plan.tenant_id,
        "SubscriptionId": sub.subscription_id,
        "Stockcode": sub.product.stock_code,
        "StockDescription": sub.product.description,
        "Quantity": sub.quantity,
        "UnitPrice": f"{price:.2f}",
        "CycleUnitPrice": f"{price:.2f}",
        "LineAmount": f"{price * sub.quantity:.2f}",
        "UsageStart": dd_line_date(day),
        "UsageEnd": dd_line_date(period_end),
        "TermStart": dd_line_date(sub.start),
        "TermEnd": dd_line_date(add_months(sub.start, sub.product.term_months) - timedelta(days=1)),
    }


def _refund(line: dict[str, Any], day: date) -> dict[str, Any]:
    """One seat removed ten days before the end of last month: a negative, prorated line."""
    end = day - timedelta(days=1)
    start = end - timedelta(days=9)
    cycle_days = (end - add_months(end.replace(day=1), 0)).days + 1
    unit = (Decimal(line["CycleUnitPrice"]) * 10 / cycle_days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return dict(
        line,
        Quantity=-1,
        UnitPrice=f"{unit:.2f}",
        LineAmount=f"{-unit:.2f}",
        UsageStart=dd_line_date(start),
        UsageEnd=dd_line_date(end),
    )


def seats_in_psa(plan: ClientPlan, product: NceProduct, rng: random.Random) -> int | None:
    """What the PSA shows: DD's count, or a drifted count, or None for a missing line."""
    drift = plan.drift_of(product)
    seats = plan.seats(product)
    if drift == "missing":
        return None
    if drift == "quantity":
        return max(0, seats + rng.choice((-3, -2, -1, 1, 2, 4)))
    return seats or None


def connectwise_world(plans: list[ClientPlan], *, prorate: bool, lines: bool, rng: random.Random) -> dict[str, Any]:
    catalog = [
        {
            "id": i + 1,
            "identifier": p.psa_product,
            "description": p.name[:60],
            "price": float(p.monthly_price),
            "cost": float(p.monthly_cost),
            "inactiveFlag": False,
            "customerDescription": p.name,
            "subcategory": {"id": 1, "name": "Microsoft NCE"},
            "type": {"id": 1, "name": "Licence"},
        }
        for i, p in enumerate(MAPPED + UNMAPPED)
    ]
    world: dict[str, Any] = {"companies": [], "agreements": [], "additions": [], "catalog": catalog}
    for plan in (p for p in plans if p.mapped):
        company = {"id": plan.company_id, "identifier": plan.slug.upper()[:25], "name": plan.name}
        world["companies"].append(dict(company, status={"id": 1, "name": "Active"}, deletedFlag=False))
        agreement_id = 1000 + plan.index + 1
        world["agreements"].append(
            {
                "id": agreement_id,
                "name": f"{plan.name} - Microsoft 365",
                "company": company,
                "contact": {"id": 100 + plan.index, "name": "Accounts Payable"},
                "type": {"id": 1, "name": "Managed Services"},
                "agreementStatus": "Active",
                "prorateFlag": prorate,
                "billingCycle": {"id": 1, "name": "Monthly"},
                "startDate": cw_datetime(plan.start),
                "endDate": None,
                "cancelledFlag": False,
                "noEndingDateFlag": True,
            }
        )
        for product in plan.products() if lines else []:
            seats = seats_in_psa(plan, product, rng)
            if seats is None:
                continue
            item = next(c for c in catalog if c["identifier"] == product.psa_product)
            world["additions"].append(
                {
                    "id": len(world["additions"]) + 1,
                    "agreementId": agreement_id,
                    "product": {"id": item["id"], "identifier": item["identifier"]},
                    "quantity": seats,
                    "unitPrice": float(product.monthly_price),
                    "unitCost": float(product.monthly_cost),
                    "extPrice": float(product.monthly_price * seats),
                    "extCost": float(product.monthly_cost * seats),
                    "billCustomer": "Billable",
                    "effectiveDate": cw_datetime(plan.start),
                    "cancelledDate": None,
                    "description": product.name,
                    "invoiceDescription": f"{product.name} x {seats}",
                    "agreementStatus": "Active",
                    "sequenceNumber": len(world["additions"]) + 1,
                    "_history": [{"recordedOn": plan.start.isoformat(), "quantity": seats}],
                }
            )
    return world


def autotask_world(plans: list[ClientPlan], today: date, *, lines: bool, rng: random.Random) -> dict[str, Any]:
    services = [
        {
            "id": service_id(p),
            "name": p.name,
            "unitPrice": float(p.monthly_price),
            "unitCost": float(p.monthly_cost),
            "invoiceDescription": p.name,
            "isActive": True,
            "periodType": 2,
        }
        for p in MAPPED + UNMAPPED
    ]
    world: dict[str, Any] = {
        "companies": [],
        "contracts": [],
        "services": services,
        "contractServices": [],
        "contractServiceUnits": [],
        "contractServiceAdjustments": [],
        "contractCharges": [],
    }
    for plan in (p for p in plans if p.mapped):
        world["companies"].append({"id": plan.company_id, "companyName": plan.name, "isActive": True})
        end = add_months(plan.start, 12 * CONTRACT_YEARS) - timedelta(days=1)
        contract = {
            "id": 7000 + plan.index + 1,
            "companyID": plan.company_id,
            "contractName": f"{plan.name} - Microsoft 365",
            "contractType": 7,
            "status": 1,
            "startDate": at_datetime(plan.start),
            "endDate": at_datetime(end),
            "contractPeriodType": 2,
        }
        world["contracts"].append(contract)
        for product in plan.products() if lines else []:
            seats = seats_in_psa(plan, product, rng)
            if seats is not None:
                _contract_service(world, contract, product, seats, today)
    return world


def _contract_service(
    world: dict[str, Any], contract: dict[str, Any], product: NceProduct, seats: int, today: date
) -> None:
    cs = {
        "id": len(world["contractServices"]) + 1,
        "contractID": contract["id"],
        "serviceID": service_id(product),
        "unitPrice": float(product.monthly_price),
        "unitCost": float(product.monthly_cost),
        "invoiceDescription": f"{product.name} x {seats}",
        "internalDescription": None,
    }
    world["contractServices"].append(cs)
    for period in contract_periods(contract, today):
        posted = at_datetime(period.end + timedelta(days=1)) if period.end < today else None
        world["contractServiceUnits"].append(
            {
                "id": len(world["contractServiceUnits"]) + 1,
                "contractID": contract["id"],
                "contractServiceID": cs["id"],
                "serviceID": cs["serviceID"],
                "startDate": at_datetime(period.start),
                "endDate": at_datetime(period.end),
                "units": seats,
                "price": cs["unitPrice"],
                "cost": cs["unitCost"],
                "approveAndPostDate": posted,
            }
        )
