"""The client's CPU for a ConnectWise `plan`: ncesync's own user + system seconds (the
sandbox runs in the benchmark's process, so its work is not counted), the median of a few
runs at each size, and how it grows with the number of clients.

The goal it is held to (bench/README.md): under 8 s at 5,000 clients on 2 cores, and
time(5,000) / time(2,000) at most 2.6.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.deployment import TODAY, BenchDeployment
from bench.measure import Measurement, require_exit, run_cli
from bench.report import run_line
from providers.sandbox import SandboxServer

BEGIN = "<!-- bench:cpu:begin -->"
END = "<!-- bench:cpu:end -->"
PLAN = ("plan", "--date", TODAY.isoformat(), "--format", "json", "--force", "--quiet")


@dataclass(frozen=True)
class CpuResult:
    deployment: BenchDeployment
    runs: tuple[Measurement, ...]

    @property
    def median_cpu(self) -> float:
        return statistics.median(m.cpu_seconds for m in self.runs)

    @property
    def median_wall(self) -> float:
        return statistics.median(m.seconds for m in self.runs)


def run_cpu(deployment: BenchDeployment, *, repeats: int = 3) -> CpuResult:
    """`plan`, `repeats` times against one sandbox (a plan writes nothing)."""
    server = SandboxServer(deployment.fresh_world(), clock=TODAY, persist="on_stop").start()
    try:
        runs = []
        for _ in range(repeats):
            m = run_cli(server, deployment.root, "plan", *PLAN)
            runs.append(require_exit(m, f"{deployment.psa} {deployment.clients}"))
    finally:
        server.stop()
    return CpuResult(deployment, tuple(runs))


def markdown(results: list[CpuResult]) -> str:
    repeats = max((len(r.runs) for r in results), default=0)
    lines = [
        run_line(f"each figure the median of {repeats} runs, no latency"),
        "",
        "| PSA | clients | client CPU s | wall s | PSA requests |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        d = r.deployment
        lines.append(
            f"| {d.psa} | {d.clients:,} | {r.median_cpu:.2f} | {r.median_wall:.1f} | {r.runs[-1].total(d.psa):,} |"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = (
            f"{large.deployment.clients:,} vs {small.deployment.clients:,} clients: "
            f"{large.median_cpu / small.median_cpu:.2f}x the CPU for "
            f"{large.deployment.clients / small.deployment.clients:.1f}x the clients."
        )
        lines += ["", growth]
    return "\n".join(lines) + "\n"
