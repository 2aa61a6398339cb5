"""The plan phase of a run: specs -> scope -> reads through the providers -> Plan + guards."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.model import ClientMapping, Deployment, Inventory, PsaId, PsaState, Scope
from reconciler.model.specs import MONTHLY, BillingStyle
from reconciler.plan import safety
from reconciler.plan.invoice_planner import InvoicePlanRequest, build_invoice_plan
from reconciler.plan.licences import agreements_in_scope
from reconciler.plan.plan import Plan
from reconciler.plan.planner import PlanRequest, build_plan
from reconciler.run.runtime import Runtime

log = logging.getLogger(__name__)

PROGRESS_FROM = 50  # clients: smaller runs get no progress lines


@dataclass
class PlannedRun:
    plan: Plan
    inventory: Inventory
    psa: PsaState
    request: PlanRequest  # what the plan was made from (describe and the reports reuse it)


def select_clients(deployment: Deployment, wanted: tuple[str, ...]) -> tuple[ClientMapping, ...]:
    """Active clients, or those named by --client (DD customer id or spec file name)."""
    active = tuple(c for c in deployment.clients if c.active)
    if not wanted:
        return active
    chosen = []
    for name in wanted:
        match = [c for c in deployment.clients if name in (c.dd_customer_id, Path(c.file).stem)]
        if not match:
            raise ConfigError(
                f"--client {name!r} names no client mapping (use the Dicker Data customer id or the file name in specs/clients/)"
            )
        if not match[0].active:
            raise ConfigError(f"--client {name!r}: the mapping in {match[0].file} is not active")
        chosen.append(match[0])
    return tuple(chosen)


def scope_for(deployment: Deployment, clients: tuple[ClientMapping, ...], sync_date: date, *, full_run: bool) -> Scope:
    billing: dict[PsaId, set[BillingStyle]] = defaultdict(set)
    owners: dict[PsaId, set[PsaId]] = defaultdict(set)
    for client in clients:  # as licence_input chooses a licence's style
        for agreement in agreements_in_scope([client], deployment):
            billing[agreement].add(client.billing or deployment.settings.billing)
            owners[agreement].add(client.psa_company_id)
    return Scope(
        sync_date=sync_date,
        tenant_ids=frozenset(c.dd_customer_id for c in clients),
        company_ids=frozenset(c.psa_company_id for c in clients),
        agreement_ids=frozenset(agreements_in_scope(list(clients), deployment)),
        product_ids=frozenset(p.psa_product for p in deployment.products.values() if p.active),
        full_run=full_run,
        billing={agreement: frozenset(styles) for agreement, styles in billing.items()},
        owners={agreement: frozenset(companies) for agreement, companies in owners.items()},
    )


def plan_run(
    runtime: Runtime,
    wanted_clients: tuple[str, ...] = (),
    invoices: tuple[str, ...] = (),
    progress: Callable[[str], None] | None = None,
) -> PlannedRun:
    deployment = runtime.deployment
    sync_type = deployment.settings.sync_type
    if sync_type not in runtime.target.capabilities.sync_types:
        raise ConfigError(f"the {runtime.target.name} provider does not support `type: {sync_type}` sync")
    if invoices and sync_type != MONTHLY:
        raise ConfigError("--invoice applies to monthly sync only; settings.yaml has `type: daily`")
    clients = select_clients(deployment, wanted_clients)
    scope = scope_for(deployment, clients, runtime.sync_date, full_run=not wanted_clients)
    if sync_type == MONTHLY:
        scope = replace(scope, with_invoices=True, invoice_numbers=frozenset(invoices))
    log.info("plan: clients=%d date=%s sync=%s", len(clients), runtime.sync_date, sync_type)
    say = progress if progress and len(clients) > PROGRESS_FROM else (lambda _: None)
    say(f"plan: reading Dicker Data for {len(clients)} clients")
    inventory = runtime.source.read(scope)
    say(f"plan: reading {runtime.target.name} for {len(clients)} clients")
    before = sum(runtime.target.request_counts().values())
    psa = runtime.target.read(scope)
    reads = sum(runtime.target.request_counts().values()) - before
    say(f"plan: planning {len(clients)} clients")
    request = PlanRequest(
        deployment=deployment,
        inventory=inventory,
        psa=psa,
        capabilities=runtime.target.capabilities,
        sync_date=runtime.sync_date,
        clients=clients,
        full_run=scope.full_run,
    )
    plan = _monthly_plan(runtime, request, scope) if sync_type == MONTHLY else build_plan(request)
    plan = replace(plan, requests=runtime.target.request_forecast(plan.changes, reads=reads))
    plan = replace(plan, refusals=tuple(safety.check(plan, deployment)))
    return PlannedRun(plan, inventory, psa, request)


def _monthly_plan(runtime: Runtime, request: PlanRequest, scope: Scope) -> Plan:
    lookback = runtime.target.charge_lookback  # older invoices are refused
    return build_invoice_plan(
        InvoicePlanRequest(
            **{f.name: getattr(request, f.name) for f in fields(request)},
            invoice_numbers=tuple(sorted(scope.invoice_numbers)),
            charge_lookback_days=lookback.days if isinstance(lookback, timedelta) else None,
        )
    )
