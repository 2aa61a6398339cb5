"""The nightly run at vendor speed: plan, then apply (which re-plans, then writes), against a
sandbox that answers after a latency and enforces each vendor's limit on requests at once.

Every repeat starts a fresh sandbox on a fresh copy of the deployment's world, so apply
always finds the same drift and the Autotask hourly count starts at zero. Wall times are
reported as medians of the repeats; request counts, which do not vary, from the last.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.deployment import TODAY, BenchDeployment
from bench.measure import Measurement, require_exit, run_cli
from providers.sandbox import SandboxServer
from providers.sandbox.concurrency import Limit
from providers.sandbox.latency import Latency

log = logging.getLogger(__name__)

DEFAULT_LATENCY = Latency(0.2, 0.05, seed=2024)  # 200-250 ms, as vendor clouds answer
PHASES = (
    ("plan", ("plan", "--date", TODAY.isoformat(), "--format", "json", "--force", "--quiet")),
    ("apply", ("apply", "--date", TODAY.isoformat(), "--auto-approve", "--force", "--quiet")),
)


@dataclass(frozen=True)
class LatencyResult:
    deployment: BenchDeployment
    latency: Latency
    phase: str
    runs: tuple[Measurement, ...]  # one per repeat

    @property
    def median_seconds(self) -> float:
        return statistics.median(m.seconds for m in self.runs)

    @property
    def last(self) -> Measurement:
        return self.runs[-1]

    @property
    def refused(self) -> int:
        """429s for requests past a vendor's limit, over every repeat."""
        return sum(sum(m.refused.values()) for m in self.runs)


def run_latency(
    deployment: BenchDeployment,
    *,
    latency: Latency = DEFAULT_LATENCY,
    repeats: int = 3,
    limits: Mapping[str, Limit] | None = None,
    extra: tuple[str, ...] = (),
    client_tree: Path | None = None,
) -> list[LatencyResult]:
    """`plan` then `apply`, `repeats` times, each on a fresh world; one result per phase."""
    runs: dict[str, list[Measurement]] = {phase: [] for phase, _ in PHASES}
    for repeat in range(1, repeats + 1):
        server = SandboxServer(
            deployment.fresh_world(), clock=TODAY, persist="on_stop", latency=latency, limits=limits
        ).start()
        try:
            for phase, args in PHASES:
                m = run_cli(server, deployment.root, phase, *args, *extra, client_tree=client_tree)
                log.info(
                    "bench: psa=%s clients=%d latency=%s phase=%s repeat=%d exit=%d seconds=%.1f "
                    "requests=%d refused=%d",
                    deployment.psa,
                    deployment.clients,
                    latency.describe(),
                    phase,
                    repeat,
                    m.exit_code,
                    m.seconds,
                    m.total(deployment.psa),
                    sum(m.refused.values()),
                )
                runs[phase].append(require_exit(m, f"{deployment.psa} {deployment.clients}"))
        finally:
            server.stop()
    return [LatencyResult(deployment, latency, phase, tuple(runs[phase])) for phase, _ in PHASES]
