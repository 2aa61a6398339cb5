"""Typed, immutable data the engine works on. Money is Decimal, dates are calendar dates."""

from reconciler.model.check import Check
from reconciler.model.forecast import RequestForecast
from reconciler.model.inventory import Customer, Inventory, Invoice, InvoiceLine, Subscription
from reconciler.model.psa import Agreement, CatalogItem, PsaId, PsaLine, PsaState, UnitSpan, Unreadable
from reconciler.model.scope import Scope
from reconciler.model.specs import (
    BillingStyle,
    ClientMapping,
    Deployment,
    LicenceOverride,
    ProductMapping,
    ProviderConfig,
    SafetySettings,
    Settings,
)
from reconciler.model.stockcode import StockCode

__all__ = [
    "Agreement",
    "BillingStyle",
    "CatalogItem",
    "Check",
    "ClientMapping",
    "Customer",
    "Deployment",
    "Inventory",
    "Invoice",
    "InvoiceLine",
    "LicenceOverride",
    "ProductMapping",
    "ProviderConfig",
    "PsaId",
    "PsaLine",
    "PsaState",
    "RequestForecast",
    "SafetySettings",
    "Scope",
    "Settings",
    "StockCode",
    "Subscription",
    "UnitSpan",
    "Unreadable",
]
