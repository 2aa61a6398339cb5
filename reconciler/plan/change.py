"""One typed change of a plan: what to write in the PSA, and why.

A Change is data: every field is JSON-able through `to_json`/`from_json`, so a saved plan
applies exactly the changes that were reviewed. `after` holds the values the provider
writes (Decimals and dates as strings); `before` holds what the PSA had, for display.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.model.psa import PsaId

CREATE_LINE = "create_line"  # a new main line (CW addition / AT service through an adjustment)
SET_QUANTITY = "set_quantity"  # CW no-prorate: the main addition's quantity becomes n
CREATE_DELTA = "create_delta"  # CW prorate: a dated delta addition of n - E
CREATE_ADJUSTMENT = "create_adjustment"  # AT: a contract service adjustment of n - E
UPDATE_LINE = "update_line"  # price / cost / description drift on a managed line
CREATE_CHARGE = "create_charge"  # monthly: a copy of one invoice line
ACTIONS = (CREATE_LINE, SET_QUANTITY, CREATE_DELTA, CREATE_ADJUSTMENT, UPDATE_LINE, CREATE_CHARGE)

SYMBOL = {
    CREATE_LINE: "+",
    CREATE_DELTA: "+",
    CREATE_ADJUSTMENT: "~",
    CREATE_CHARGE: "+",
    SET_QUANTITY: "~",
    UPDATE_LINE: "~",
}


@dataclass(frozen=True)
class Change:
    action: str
    client_id: str  # Dicker Data customer (tenant) id
    client_name: str
    agreement_id: PsaId
    product_id: str  # PSA product: CW catalog identifier / AT service id
    product_key: str  # the product mapping's key in products.yaml
    line_kind: str  # main | delta | charge
    reason: str
    effective_date: str  # ISO date
    line_id: PsaId | None = None  # the existing PSA line an update targets
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    runrate_change: str = "0.00"  # monthly run-rate change, Decimal as text
    one_off: str = "0.00"  # one-off prorated amount, Decimal as text
    key: str | None = None  # monthly sync: the idempotency key of the copied invoice line
    # A dated change moved off an occupied day (billing.md 3.2): the day the billing style
    # asked for, and how the days in between change that period's invoice against Dicker
    # Data's count (signed money; negative: billed less).
    intended_date: str | None = None
    moved_effect: str | None = None
    # A write that makes the PSA line's unit cost follow Dicker Data's: how the margin the
    # PSA reports for the line's seats moves a month (signed money; negative: less margin).
    margin_change: str | None = None

    @property
    def identity(self) -> tuple[str, PsaId, str, str, str]:
        """(client, agreement, product, line kind, key): what the plan is keyed by."""
        return (self.client_id, self.agreement_id, self.product_id, self.line_kind, self.key or "")

    def value(self, name: str) -> Any:
        return self.after.get(name)

    def decimal(self, name: str) -> Decimal | None:
        v = self.after.get(name)
        return None if v is None else Decimal(str(v))

    def date(self, name: str) -> date | None:
        v = self.after.get(name)
        return None if v is None else date.fromisoformat(v)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(**data)
