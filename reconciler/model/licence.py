"""A licence: one mapped product on one agreement, and the client's subscriptions behind it.

It is what one PSA line carries, the unit the billing rules decide on one at a time
(`reconciler.billing.licence` adds what they decide from) and the unit failures are kept
to (one refused write stops its licence only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.model.inventory import Subscription
from reconciler.model.psa import PsaId
from reconciler.model.specs import ProductMapping


@dataclass
class Licence:
    agreement_id: PsaId
    product: ProductMapping
    subscriptions: list[Subscription] = field(default_factory=list)  # grouped while the plan reads them
