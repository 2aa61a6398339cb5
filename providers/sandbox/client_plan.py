"""ClientPlan: one generated client (DD tenant, PSA company and agreement, its subscriptions)."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import date

from providers.sandbox.catalogue import MAPPED, UNMAPPED, NceProduct
from reconciler.billing.periods import add_months

_FIRST = (
    "Kauri",
    "Harbour",
    "Southern",
    "Tasman",
    "Pohutukawa",
    "Summit",
    "Riverbend",
    "Coastal",
    "Greenfield",
    "Ironbark",
    "Bluegum",
    "Wattle",
    "Kowhai",
    "Totara",
    "Macquarie",
    "Lakeside",
)
_SECOND = (
    "Accounting",
    "Legal",
    "Dental",
    "Engineering",
    "Logistics",
    "Architects",
    "Motors",
    "Medical",
    "Consulting",
    "Property",
    "Builders",
    "Foods",
    "Travel",
    "Design",
    "Freight",
)
_SUFFIX = ("Ltd", "Limited", "Pty Ltd", "Group", "Partners", "& Co")
SUSPENDED_SHARE = 0.05
DRIFT_SHARE = 0.2
UNMAPPED_CODE_SHARE = 0.2


@dataclass(frozen=True)
class PlannedSubscription:
    subscription_id: str
    product: NceProduct
    quantity: int
    status: str
    start: date  # the current term's first day


@dataclass(frozen=True)
class ClientPlan:
    index: int
    name: str
    tenant_id: str
    mapped: bool
    start: date  # the PSA agreement/contract start (first of a month)
    subscriptions: tuple[PlannedSubscription, ...]
    drift: tuple[tuple[str, str], ...] = ()  # (product key, "quantity" | "missing")

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def company_id(self) -> int:
        return 250 + self.index

    def seats(self, product: NceProduct) -> int:
        """Seats DD bills for `product`: active subscriptions only."""
        return sum(s.quantity for s in self.subscriptions if s.product == product and s.status == "ACTIVE")

    def products(self) -> list[NceProduct]:
        seen: list[NceProduct] = []
        for sub in self.subscriptions:
            if sub.product in MAPPED and sub.product not in seen:
                seen.append(sub.product)
        return seen

    def drift_of(self, product: NceProduct) -> str | None:
        return dict(self.drift).get(product.key)


def plan_clients(
    rng: random.Random,
    clients: int,
    today: date,
    *,
    licences_per_client: int | None = None,
    drift_share: float = DRIFT_SHARE,
) -> list[ClientPlan]:
    """`clients` mapped clients, then a few unmapped ones (DD customers with no mapping).

    Each client has 2 to 4 mapped licences unless `licences_per_client` fixes the number
    (at most the catalogue's); `drift_share` of the mapped clients drift on one licence."""
    names = _names(rng, clients + max(1, clients // 8))
    return [_client(rng, i, name, i < clients, today, licences_per_client, drift_share) for i, name in enumerate(names)]


def _names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_SUFFIX)}"
        if name in names:
            name = f"{name.rsplit(' ', 1)[0]} {len(names) + 1} {name.rsplit(' ', 1)[1]}"
        names.append(name)
    return names


def _client(
    rng: random.Random, index: int, name: str, mapped: bool, today: date, licences: int | None, drift_share: float
) -> ClientPlan:
    tenant = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    start = add_months(today.replace(day=1), -rng.randint(2, 30))
    # no draw when the number is fixed, so the default stream (and output) stays as it was
    count = rng.randint(2, 4) if licences is None else max(1, min(licences, len(MAPPED)))
    products = rng.sample(MAPPED, count)
    if rng.random() < UNMAPPED_CODE_SHARE:
        products.append(rng.choice(UNMAPPED))
    subs = tuple(_subscription(rng, p, today) for p in products)
    drift: tuple[tuple[str, str], ...] = ()
    if mapped and rng.random() < drift_share:
        drift = ((rng.choice(products[:2]).key, rng.choice(("quantity", "missing"))),)
    return ClientPlan(index, name, tenant, mapped, start, subs, drift)


def _subscription(rng: random.Random, product: NceProduct, today: date) -> PlannedSubscription:
    sub_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    quantity = 1 if product.key == "azure-plan" else rng.choice((1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 40))
    status = "SUSPENDED" if rng.random() < SUSPENDED_SHARE else "ACTIVE"
    start = add_months(today, -rng.randint(0, product.term_months - 1)) if product.term_months > 1 else today
    start = start.replace(day=rng.randint(1, 28))
    if start > today:
        start = add_months(start, -1)
    return PlannedSubscription(sub_id, product, quantity, status, start)
