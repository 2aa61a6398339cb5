"""The deployment as written in specs/ (settings, products, clients), after validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from reconciler.model.psa import PsaId
from reconciler.model.stockcode import StockCode

ADVANCE = "advance"
ARREARS = "arrears"
DAILY = "daily"
MONTHLY = "monthly"
SANDBOX = "sandbox"


@dataclass(frozen=True)
class ProviderConfig:
    """A provider block. `options` keep `env:NAME` references unresolved (see secrets.py)."""

    name: str  # the provider's entry-point name in the ncesync.providers group
    endpoint: str  # "sandbox" or a base URL
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sandbox(self) -> bool:
        return self.endpoint == SANDBOX


@dataclass(frozen=True)
class BillingStyle:
    style: str = ADVANCE  # advance | arrears
    prorate: bool = False  # for a PSA whose proration is a setting (others read each agreement's flag)


@dataclass(frozen=True)
class SafetySettings:
    max_decrease_percent: Decimal = Decimal("30")
    min_seats: int = 10
    # On by default (an absurd count once applied at +$24 septillion a month): a plan moving
    # the monthly run-rate by more than this, or one licence by more than these, is refused.
    max_runrate_change: Decimal | None = Decimal("10000")  # per month, absolute
    max_licence_change: int = 1000  # seats one licence may gain or lose in one run
    max_licence_factor: Decimal = Decimal("10")  # times one licence may grow (from min_seats up)


@dataclass(frozen=True)
class ReviewSettings:
    """When a plan puts a licence under "needs review" (and the margin report flags it)."""

    seat_change_percent: Decimal = Decimal("25")  # a licence moving by more than this share ...
    seat_change_count: int = 10  # ... or by more than this many seats
    min_seats: int = 5  # the share counts for licences of at least this many seats
    min_margin_percent: Decimal = Decimal("0")  # margins below this share of the price


@dataclass(frozen=True)
class Settings:
    sync_type: str
    timezone: str
    psa: ProviderConfig
    source: ProviderConfig
    billing: BillingStyle = BillingStyle()
    invoice_description: str | None = None  # Jinja2 template; None = no description
    safety: SafetySettings = SafetySettings()
    sandbox_world: str | None = None  # world file of the embedded sandbox, relative to root
    sandbox_date: str | None = None  # the sandbox world's "today": the sync date without --date
    review: ReviewSettings = ReviewSettings()
    follow_cost: bool = True  # unit_cost: follow (the PSA line's cost tracks Dicker Data's)
    # Notification channels (env: references unresolved). Not an input of the plan, so
    # left out of repr: the plan's fingerprint must not move when an alert is re-routed.
    notify: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class ProductMapping:
    key: str
    name: str
    stock_codes: tuple[str, ...]  # exact codes or TERM:PRODUCT:SKU prefixes
    psa_product: str  # the PSA's product identifier (catalog identifier, service id)
    price: Decimal | None = None  # custom profile price; None = PSA catalogue price
    profile: str | None = None
    protect: bool = False
    active: bool = True
    count_trials: bool = False


@dataclass(frozen=True)
class LicenceOverride:
    product_key: str
    agreement_id: PsaId | None = None


DESCRIPTION_DEFAULT = "default"
DESCRIPTION_OFF = "off"


@dataclass(frozen=True)
class ClientMapping:
    file: str  # the spec file it came from, for messages
    name: str
    dd_customer_id: str
    psa_company_id: PsaId
    agreement_id: PsaId
    active: bool = True
    billing: BillingStyle | None = None  # override of the company style
    description_mode: str = DESCRIPTION_DEFAULT  # default | off | custom
    description_template: str | None = None  # when description_mode == "custom"
    exclude_stock_codes: tuple[str, ...] = ()
    licences: tuple[LicenceOverride, ...] = ()
    safety: SafetySettings | None = None

    def excludes(self, stock_code: str) -> bool:
        """True when this client's `exclude_stock_codes` names the code or its prefix."""
        try:
            code = StockCode.parse(stock_code)
        except ValueError:
            return False
        return any(code.matches(pattern) for pattern in self.exclude_stock_codes)

    def excludes_product(self, product: ProductMapping) -> bool:
        """True when every stock code the product maps is excluded for this client."""
        return bool(self.exclude_stock_codes) and all(self.excludes(code) for code in product.stock_codes)

    def agreement_for(self, product_key: str) -> PsaId:
        for o in self.licences:
            if o.product_key == product_key and o.agreement_id is not None:
                return o.agreement_id
        return self.agreement_id


@dataclass(frozen=True)
class Deployment:
    root: Path
    settings: Settings
    products: dict[str, ProductMapping]
    clients: tuple[ClientMapping, ...]

    def client(self, dd_customer_id: str) -> ClientMapping | None:
        return self._clients_by_id.get(dd_customer_id)

    def product_for(self, stock_code: str) -> ProductMapping | None:
        """The first active product mapping (products.yaml's order) naming this stock code
        exactly or by its prefix; None when none does or the code cannot be read. Remembered
        per code: a plan asks for every subscription of every client (40,000 at 5,000
        clients), and matched each against every product's codes."""
        memo = self._products_by_code
        if stock_code not in memo:
            memo[stock_code] = self._match(stock_code)
        return memo[stock_code]

    def _match(self, stock_code: str) -> ProductMapping | None:
        try:
            code = StockCode.parse(stock_code)
        except ValueError:
            return None
        matches = [p for p in self.products.values() if p.active and any(code.matches(s) for s in p.stock_codes)]
        return matches[0] if matches else None

    @cached_property
    def _products_by_code(self) -> dict[str, ProductMapping | None]:
        return {}

    @cached_property
    def _clients_by_id(self) -> dict[str, ClientMapping]:
        """The first mapping of each customer, as a scan would find it (the safety guards ask
        once per client: a scan made 5,000 clients' guards quadratic)."""
        found: dict[str, ClientMapping] = {}
        for c in self.clients:
            found.setdefault(c.dd_customer_id, c)
        return found
