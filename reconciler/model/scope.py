"""What a run covers: which clients, which date, which invoices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from reconciler.model.psa import PsaId
from reconciler.model.specs import BillingStyle


@dataclass(frozen=True)
class Scope:
    """Passed to providers so they read only what the run needs.

    `tenant_ids`/`company_ids`/`agreement_ids` are the mapped clients in scope (all mapped
    clients for a full run, one for `--client`); `product_ids` are the mapped PSA products.
    `billing`: the billing styles of the clients on each agreement, so that a provider reads
    only the dates those styles compare on (empty: every style's dates).
    `owners`: the PSA companies of the clients on each agreement, so that `doctor` can say
    an agreement belongs to another company (empty: not known).
    """

    sync_date: date
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    company_ids: frozenset[PsaId] = field(default_factory=frozenset)
    agreement_ids: frozenset[PsaId] = field(default_factory=frozenset)
    product_ids: frozenset[str] = field(default_factory=frozenset)
    invoice_numbers: frozenset[str] = field(default_factory=frozenset)  # monthly: empty = all
    full_run: bool = True  # False for --client: the source must not be read beyond the tenants
    with_invoices: bool = False  # monthly sync: the source also reads invoices
    billing: Mapping[PsaId, frozenset[BillingStyle]] = field(default_factory=dict)
    owners: Mapping[PsaId, frozenset[PsaId]] = field(default_factory=dict)
