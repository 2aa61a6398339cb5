"""In-memory inputs for engine tests: the good fixture deployment, DD and PSA records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.model import Agreement, CatalogItem, Inventory, PsaLine, PsaState, Subscription, UnitSpan
from reconciler.specs import load_deployment

GOOD = Path(__file__).parents[1] / "fixtures" / "specs" / "good"
CONTOSO = "2b7f0c1e-5d7a-4b0e-9a55-0c4f1f1f0a01"
FABRIKAM = "9c1d2e3f-0000-4000-8000-00000000f001"


def sub(
    tenant: str, code: str, qty: int, *, status: str = "ACTIVE", sid: str | None = None, name: str = "Contoso Ltd"
) -> Subscription:
    return Subscription(
        subscription_id=sid or f"{tenant[:4]}-{code}-{qty}",
        tenant_id=tenant,
        company_name=name,
        stock_code=code,
        description=code,
        quantity=qty,
        status=status,
        billing_frequency="Monthly",
        unit_cost=Decimal("15.00"),
    )


def line(
    line_id: int,
    agreement: int,
    product: str,
    qty: int,
    *,
    price: str = "36.30",
    start: date = date(2024, 5, 1),
    description: str = "",
) -> PsaLine:
    return PsaLine(
        id=line_id,
        agreement_id=agreement,
        product_id=product,
        kind="main",
        spans=(UnitSpan(start, None, qty),),
        unit_price=Decimal(price),
        unit_cost=Decimal("15.00"),
        invoice_description=description,
    )


@pytest.fixture
def deployment():
    return load_deployment(GOOD)


def psa_state(*lines: PsaLine, prorate: bool = False) -> PsaState:
    agreements = {
        a: Agreement(id=a, company_id=c, name=f"Agreement {a}", status="Active", prorate=prorate)
        for a, c in ((1001, 250), (1002, 250), (1003, 251))
    }
    catalog = {
        "M365-BP-ANNUAL": CatalogItem("M365-BP-ANNUAL", 11, "Business Premium", Decimal("40.00")),
        "M365-BP-MONTHLY": CatalogItem("M365-BP-MONTHLY", 12, "Business Premium monthly", Decimal("44.00")),
        "EXO-P1": CatalogItem("EXO-P1", 13, "Exchange Online Plan 1", Decimal("6.00")),
    }
    return PsaState(
        companies={250: "Contoso", 251: "Fabrikam"}, agreements=agreements, lines=tuple(lines), catalog=catalog
    )


def inventory(*subs: Subscription) -> Inventory:
    return Inventory(subscriptions=tuple(subs))
