"""`ncesync doctor`: can this deployment work against its vendors, right now? Read-only.

The engine asks each provider for its checks (credentials, zone, permissions, mapped
records, request budget: `Provider.diagnose`) and adds the vendor-neutral ones: the specs
load, every client's agreements belong to its PSA company, and every record the sync
depends on can be read. A failure of any kind becomes a failed Check with its fix, never a
traceback; the command exits 0 only when every check passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from reconciler.errors import ReconcilerError
from reconciler.model import Check, Deployment, Scope
from reconciler.model.specs import MONTHLY
from reconciler.plan.licences import agreements_in_scope
from reconciler.run.job import scope_for, select_clients
from reconciler.run.runtime import Runtime

SHOWN = 5


def diagnose(runtime: Runtime) -> list[Check]:
    deployment = runtime.deployment
    clients = select_clients(deployment, ())
    scope = scope_for(deployment, clients, runtime.sync_date, full_run=True)
    if deployment.settings.sync_type == MONTHLY:  # as a run's plan scopes it
        scope = replace(scope, with_invoices=True)
    products = sum(1 for p in deployment.products.values() if p.active)
    checks = [Check("specs", True, f"{_count(len(clients), 'active client')} and {_count(products, 'product')} mapped")]
    checks += _guarded("source", lambda: runtime.source.diagnose(scope))
    target = _guarded("psa", lambda: runtime.target.diagnose(scope))
    checks += target
    if all(c.ok for c in target):
        checks += _guarded("mapping", lambda: [_mapping(runtime, deployment, scope)])
    return checks


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _guarded(block: str, call: Callable[[], list[Check]]) -> list[Check]:
    try:
        return list(call())
    except ReconcilerError as exc:
        return [Check(f"{block} checks", False, str(exc), "see the error")]


def _mapping(runtime: Runtime, deployment: Deployment, scope: Scope) -> Check:
    """Each client's agreements belong to its company, and the PSA records can be read."""
    state = runtime.target.read(scope)
    problems = [u.message for u in state.unreadable]
    for client in select_clients(deployment, ()):
        for agreement_id in sorted(agreements_in_scope([client], deployment)):
            agreement = state.agreements.get(agreement_id)
            if agreement is not None and agreement.company_id != client.psa_company_id:
                problems.append(
                    f"{client.name} ({client.file}): agreement {agreement_id} belongs to PSA company "
                    f"{agreement.company_id}, not {client.psa_company_id}"
                )
    if not problems:
        return Check(
            "mapping",
            True,
            "every client's agreements belong to its company and every record the sync reads can be read",
        )
    shown = "; ".join(problems[:SHOWN]) + (f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else "")
    return Check("mapping", False, shown, "fix the records in the PSA or the client files in specs/clients/")
