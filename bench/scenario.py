"""Scenario: plan, apply, then plan and apply again (nothing left to do) on one deployment."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bench.deployment import TODAY, BenchDeployment
from bench.measure import Measurement, require_exit, run_cli
from providers.sandbox import SandboxServer

log = logging.getLogger(__name__)

PHASES = (
    ("plan", ("plan", "--date", TODAY.isoformat(), "--format", "json", "--force")),
    ("apply", ("apply", "--date", TODAY.isoformat(), "--auto-approve", "--force")),
    ("plan (converged)", ("plan", "--date", TODAY.isoformat(), "--format", "json", "--detailed-exitcode")),
    ("apply (converged)", ("apply", "--date", TODAY.isoformat(), "--auto-approve")),
)
EXPECTED_EXIT = {"plan (converged)": (0,), "apply (converged)": (0,)}


@dataclass(frozen=True)
class ScenarioResult:
    deployment: BenchDeployment
    measurements: tuple[Measurement, ...]


def run_scenario(deployment: BenchDeployment, *, quiet: bool = True) -> ScenarioResult:
    world = deployment.fresh_world()
    # on_stop: a benchmark measures the product, not the emulator rewriting a large world file
    server = SandboxServer(world, clock=TODAY, persist="on_stop").start()
    measurements = []
    try:
        for phase, args in PHASES:
            extra = ("--quiet",) if quiet else ()
            result = run_cli(server, deployment.root, phase, *args, *extra)
            log.info(
                "bench: psa=%s clients=%d phase=%s exit=%d seconds=%.1f peak_mb=%.0f requests=%d",
                deployment.psa,
                deployment.clients,
                phase,
                result.exit_code,
                result.seconds,
                result.peak_mb,
                result.total(),
            )
            measurements.append(
                require_exit(result, f"{deployment.psa} {deployment.clients}", EXPECTED_EXIT.get(phase, (0,)))
            )
    finally:
        server.stop()
    return ScenarioResult(deployment, tuple(measurements))
