"""The Xero row of the benchmarks: Xero API calls per 1,000 clients against the 5,000 a
day Xero allows an organisation.

Usage: python bench/xero_budget.py [--clients 1000] [--no-readme]

A generated Xero deployment (8 licences a client, 5 % of the clients drifting on one
licence, seed 2024, sync date 2024-06-15, as bench/deployment.py) is planned, applied and
planned again, in advance billing without and with proration (the catch-ups), in this
process with the engine's own plan and apply. Xero's 60 calls a minute are kept by the
client; the clock is virtual, so the pacing shows as minutes a real run would wait rather
than as waiting here. Calls are counted by the sandbox: the identity service's (token,
connections) do not count against the organisation's day, the Accounting API's do.
Results go to stdout and between the `bench:xero` markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # `python bench/xero_budget.py` from the repository root

from bench.deployment import DRIFT_SHARE, LICENCES_PER_CLIENT, SEED, TODAY  # noqa: E402
from providers.sandbox import SandboxServer  # noqa: E402
from providers.sandbox.generator import WORLD_REL, generate  # noqa: E402
from reconciler import clock  # noqa: E402
from reconciler.apply.apply import apply_plan  # noqa: E402
from reconciler.apply.journal import Journal  # noqa: E402
from reconciler.run.job import plan_run  # noqa: E402
from reconciler.run.runtime import SANDBOX_URL_VARIABLE, Runtime  # noqa: E402
from reconciler.specs import load_deployment  # noqa: E402

DAY_LIMIT = 5000
BEGIN, END = "<!-- bench:xero:begin -->", "<!-- bench:xero:end -->"


class VirtualClock:
    """Sleeps return at once and move `monotonic` on, so pacing is counted, not waited."""

    def __init__(self) -> None:
        self.waited = 0.0
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waited += max(seconds, 0.0)

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + self.waited


@dataclass(frozen=True)
class Row:
    style: str
    phase: str
    calls: int  # every Xero call
    day_calls: int  # the Accounting API's: what counts against the organisation's day
    writes: int
    changes: int
    paced_minutes: float


def measure(workdir: Path, clients: int, prorate: bool) -> list[Row]:
    root = workdir / f"xero-{clients}-{'prorate' if prorate else 'no-prorate'}"
    if not (root / WORLD_REL).exists():
        generate(
            root,
            clients=clients,
            seed=SEED,
            psa="xero",
            prorate=prorate,
            today=TODAY,
            licences_per_client=LICENCES_PER_CLIENT,
            drift_share=DRIFT_SHARE,
        )
    world = root / ".ncesync" / "bench-world.json"
    world.parent.mkdir(parents=True, exist_ok=True)
    world.write_bytes((root / WORLD_REL).read_bytes())
    style = f"advance, {'prorate' if prorate else 'no prorate'}"
    fake = VirtualClock()
    previous = clock.use(fake)
    server = SandboxServer(world, clock=TODAY, persist="on_stop").start()
    rows = []
    try:
        deployment = load_deployment(root)
        environ = {**os.environ, SANDBOX_URL_VARIABLE: server.url}
        for phase, write in (("plan", False), ("apply", True), ("plan (converged)", False)):
            server.counts.reset()
            waited = fake.waited
            with Runtime(deployment, sync_date=TODAY, environ=environ) as runtime:
                plan = plan_run(runtime).plan
                if write:
                    result = apply_plan(plan, runtime.target, Journal(root, "bench"))
                    if not result.ok:
                        raise RuntimeError(f"xero bench: {len(result.failures)} writes failed")
            counts = {k: v for k, v in server.counts.as_dict().items() if k.split(" ")[1] == "xero"}
            rows.append(
                Row(
                    style,
                    phase,
                    sum(counts.values()),
                    sum(v for k, v in counts.items() if "/api.xro/" in k),
                    sum(v for k, v in counts.items() if k.split(" ")[0] in ("POST", "PUT") and "/api.xro/" in k),
                    len(plan.changes),
                    (fake.waited - waited) / 60,
                )
            )
    finally:
        server.stop()
        clock.use(previous)
    return rows


def markdown(clients: int, rows: list[Row]) -> str:
    lines = [
        f"{clients:,} clients, {LICENCES_PER_CLIENT} licences each, {DRIFT_SHARE:.0%} drifting; sync date {TODAY}.",
        "",
        "| style | phase | changes | Xero calls | against the day's limit | share of 5,000/day | writes | pacing at 60/min |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.style} | {r.phase} | {r.changes:,} | {r.calls:,} | {r.day_calls:,} | "
            f"{r.day_calls / DAY_LIMIT:.1%} | {r.writes:,} | {r.paced_minutes:.1f} min |"
        )
    nightly = [r for r in rows if r.phase == "apply"]
    lines += [
        "",
        (
            "A nightly `apply` (which plans first) at this size uses at most "
            f"{max(r.day_calls for r in nightly):,} of the organisation's {DAY_LIMIT:,} calls a day."
        ),
    ]
    return "\n".join(lines) + "\n"


def write_readme(path: Path, text: str) -> None:
    readme = path.read_text("utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{path} has no {BEGIN} ... {END} section")
    head, rest = readme.split(BEGIN, 1)
    path.write_text(f"{head}{BEGIN}\n{text}{END}{rest.split(END, 1)[1]}", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path(".ncesync/bench"))
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    rows = measure(args.workdir, args.clients, False) + measure(args.workdir, args.clients, True)
    text = markdown(args.clients, rows)
    sys.stdout.write(text)
    if not args.no_readme:
        write_readme(HERE / "README.md", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
