"""PlanningTiming: the pure planning step (desired state + diff + render, no I/O) in-process.

The reads happen once through the real providers against the sandbox; then only
`build_plan` and the text rendering are timed, best of a few rounds.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from bench.deployment import TODAY, BenchDeployment
from providers.sandbox import SandboxServer
from reconciler.plan.planner import PlanRequest, build_plan
from reconciler.report.render import render
from reconciler.run.job import scope_for, select_clients
from reconciler.run.runtime import SANDBOX_URL_VARIABLE, Runtime
from reconciler.specs import load_deployment

ROUNDS = 3


@dataclass(frozen=True)
class PlanningTiming:
    psa: str
    clients: int
    licences: int
    seconds: float  # best round


def time_planning(deployment: BenchDeployment) -> PlanningTiming:
    specs = load_deployment(deployment.root)
    server = SandboxServer(deployment.fresh_world(), clock=TODAY, persist="on_stop").start()
    try:
        environ = dict(os.environ, **{SANDBOX_URL_VARIABLE: server.url})
        with Runtime(specs, sync_date=TODAY, environ=environ) as runtime:
            clients = select_clients(specs, ())
            scope = scope_for(specs, clients, TODAY, full_run=True)
            request = PlanRequest(
                deployment=specs,
                inventory=runtime.source.read(scope),
                psa=runtime.target.read(scope),
                capabilities=runtime.target.capabilities,
                sync_date=TODAY,
                clients=clients,
                full_run=True,
            )
    finally:
        server.stop()
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        render(build_plan(request).to_json(), "text")
        best = min(best, time.perf_counter() - started)
    return PlanningTiming(deployment.psa, deployment.clients, len(request.psa.lines), best)
