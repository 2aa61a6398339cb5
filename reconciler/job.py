"""The plan phase of a run: specs -> scope -> reads through the providers -> Plan + guards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reconciler import safety
from reconciler.errors import ConfigError
from reconciler.licences import agreements_in_scope
from reconciler.model import ClientMapping, Deployment, Inventory, PsaState, Scope
from reconciler.model.specs import DAILY
from reconciler.plan import Plan
from reconciler.planner import PlanRequest, build_plan
from reconciler.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class PlannedRun:
    plan: Plan
    inventory: Inventory
    psa: PsaState


def select_clients(deployment: Deployment, wanted: tuple[str, ...]) -> tuple[ClientMapping, ...]:
    """Active clients, or those named by --client (DD customer id or spec file name)."""
    active = tuple(c for c in deployment.clients if c.active)
    if not wanted:
        return active
    chosen = []
    for name in wanted:
        match = [c for c in deployment.clients if name in (c.dd_customer_id, Path(c.file).stem)]
        if not match:
            raise ConfigError(f"--client {name!r} names no client mapping (use the Dicker Data customer id or the file name in specs/clients/)")
        if not match[0].active:
            raise ConfigError(f"--client {name!r}: the mapping in {match[0].file} is not active")
        chosen.append(match[0])
    return tuple(chosen)


def scope_for(deployment: Deployment, clients: tuple[ClientMapping, ...], sync_date: date, *, full_run: bool) -> Scope:
    return Scope(
        sync_date=sync_date,
        tenant_ids=frozenset(c.dd_customer_id for c in clients),
        company_ids=frozenset(c.psa_company_id for c in clients),
        agreement_ids=frozenset(agreements_in_scope(list(clients), deployment)),
        product_ids=frozenset(p.psa_product for p in deployment.products.values() if p.active),
        full_run=full_run,
    )


def plan_run(runtime: Runtime, wanted_clients: tuple[str, ...] = ()) -> PlannedRun:
    deployment = runtime.deployment
    if deployment.settings.sync_type != DAILY:
        raise ConfigError(f"sync type {deployment.settings.sync_type!r} is not available yet; use `type: daily`")
    clients = select_clients(deployment, wanted_clients)
    scope = scope_for(deployment, clients, runtime.sync_date, full_run=not wanted_clients)
    log.info("plan: clients=%d date=%s", len(clients), runtime.sync_date)
    inventory = runtime.source.read(scope)
    psa = runtime.target.read(scope)
    plan = build_plan(PlanRequest(
        deployment=deployment,
        inventory=inventory,
        psa=psa,
        psa_kind=runtime.target.kind,
        description_limit=runtime.target.description_limit,
        sync_date=runtime.sync_date,
        clients=clients,
        full_run=scope.full_run,
    ))
    plan.refusals = [r.to_json() for r in safety.check(plan, deployment)]
    return PlannedRun(plan, inventory, psa)
