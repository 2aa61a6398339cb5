"""What the source of truth (Dicker Data) says: customers, subscriptions, invoices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ACTIVE = "ACTIVE"
# A subscription's status as Dicker Data and Microsoft Partner Center write it. Only ACTIVE
# seats are billed; the others are kept to explain a decrease. A status outside this list (a
# typo in an export, a status added later) is not read as "not active", which would be zero
# seats: a licence with such a subscription is an error of the plan (billing/daily.py).
STATUSES = frozenset({ACTIVE, "SUSPENDED", "CANCELLED", "EXPIRED", "PENDING", "DISABLED", "DELETED", "NONE"})


@dataclass(frozen=True)
class Customer:
    tenant_id: str
    name: str


@dataclass(frozen=True)
class Subscription:
    """One Dicker Data CSP subscription.

    `unit_cost` is the cost per seat per month, already normalised by the source provider
    (Dicker Data quotes annual-term prices per full term). `status` is upper case.
    """

    subscription_id: str
    tenant_id: str
    company_name: str
    stock_code: str
    description: str
    quantity: int
    status: str
    billing_frequency: str
    unit_cost: Decimal
    unit_rrp: Decimal | None = None
    term_end: date | None = None
    last_billing_date: date | None = None
    next_billing_date: date | None = None
    is_trial: bool = False

    @property
    def is_active(self) -> bool:
        return self.status.upper() == ACTIVE

    @property
    def status_known(self) -> bool:
        return self.status.upper() in STATUSES


@dataclass(frozen=True)
class InvoiceLine:
    """One line of a Dicker Data invoice (monthly sync). Quantity is negative for refunds."""

    invoice_number: str
    invoice_date: date
    tenant_id: str
    subscription_id: str
    stock_code: str
    description: str
    quantity: int
    unit_price: Decimal  # what DD charged per unit on this line (may be a partial period)
    cycle_unit_price: Decimal  # DD's per-unit price for the full billing cycle
    line_amount: Decimal
    usage_start: date | None = None
    usage_end: date | None = None
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class Invoice:
    number: str
    date: date
    lines: tuple[InvoiceLine, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """A complete read of the source. A failed or partial read raises SourceError instead."""

    customers: tuple[Customer, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    invoices: tuple[Invoice, ...] = field(default_factory=tuple)

    def subscriptions_of(self, tenant_id: str) -> list[Subscription]:
        return [s for s in self.subscriptions if s.tenant_id == tenant_id]
