"""What the conformance suite hands a kit (the shapes of its KitClient and KitProduct,
copied: a plug-in does not import ncesync's tests), and the scenario's client and product."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

TENANT = "2b7f0c1e-5d7a-4b0e-9a55-0c4f1f1f0a01"


@dataclass(frozen=True)
class KitClient:
    name: str
    tenant: str
    company_id: int
    agreement_id: int
    billing_day: int


@dataclass(frozen=True)
class KitProduct:
    key: str
    name: str
    price: Decimal
    cost: Decimal = Decimal("10.00")


CONTOSO = KitClient("Contoso Ltd", TENANT, 250, 1001, 1)
PREMIUM = KitProduct("m365-bp", "Microsoft 365 Business Premium", Decimal("20.00"), Decimal("15.00"))
