"""`make bench`: plan and apply at 100, 1,000 and 5,000 clients on ConnectWise and Autotask.

Usage: python bench/run.py [--sizes 100,1000,5000] [--psa connectwise,autotask]
                           [--workdir DIR] [--no-readme]
       python bench/run.py --latency [0.2+0.05] [--sizes 400,2000,5000] [--repeats 3]
                           [--parallelism N] [--cw-limit N] [--client-tree DIR]
       python bench/run.py --cpu [--sizes 2000,5000] [--repeats 3]
Results go to stdout and between the markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # `python bench/run.py` from the repository root

from bench import cpu, latency_report  # noqa: E402
from bench.deployment import BenchDeployment  # noqa: E402
from bench.latency import DEFAULT_LATENCY, run_latency  # noqa: E402
from bench.planning import time_planning  # noqa: E402
from bench.report import markdown, write_readme  # noqa: E402
from bench.scenario import run_scenario  # noqa: E402
from providers.sandbox.concurrency import DEFAULT_LIMITS, Limit  # noqa: E402
from providers.sandbox.latency import Latency  # noqa: E402

log = logging.getLogger("bench")
LATENCY_SIZES = "400,2000,5000"
CPU_SIZES = "2000,5000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=None, help=f"clients per deployment (default 100,1000,5000; with --latency {LATENCY_SIZES})"
    )
    parser.add_argument("--psa", default="connectwise,autotask")
    parser.add_argument("--planning-sizes", default="1000,5000", help="sizes for the pure planning ratio")
    parser.add_argument("--workdir", type=Path, default=Path(".ncesync/bench"))
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--latency",
        nargs="?",
        const=_text(DEFAULT_LATENCY),
        default=None,
        metavar="FIXED+JITTER",
        help="the nightly run at vendor speed: seconds per answer (default 0.2+0.05)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="--latency, --cpu: runs per figure (the median is shown)"
    )
    parser.add_argument("--parallelism", type=int, default=None, help="--latency: ncesync's --parallelism")
    parser.add_argument(
        "--cw-limit",
        type=int,
        default=None,
        help="--latency: ConnectWise requests at once the sandbox allows (default: no limit, as none is published)",
    )
    parser.add_argument(
        "--client-tree",
        type=Path,
        default=None,
        help="--latency: run ncesync from this source tree (an older commit: before and after)",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help=f"ncesync's own CPU for a ConnectWise plan (default sizes {CPU_SIZES}; --repeats)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("providers").setLevel(logging.WARNING)
    logging.getLogger("reconciler").setLevel(logging.WARNING)
    psas = [p for p in args.psa.split(",") if p]
    if args.latency is not None:
        return _latency(args, psas)
    if args.cpu:
        return _cpu(args)
    sizes = [int(s) for s in (args.sizes or "100,1000,5000").split(",") if s]
    results = []
    for psa in psas:
        for size in sizes:
            log.info("bench: building psa=%s clients=%d", psa, size)
            results.append(run_scenario(BenchDeployment.build(args.workdir, psa, size)))
    planning = [
        time_planning(BenchDeployment.build(args.workdir, "connectwise", int(s)))
        for s in args.planning_sizes.split(",")
        if s
    ]
    text = markdown(results, planning)
    sys.stdout.write(text)
    if not args.no_readme:
        write_readme(HERE / "README.md", text)
    return 0


def _latency(args: argparse.Namespace, psas: list[str]) -> int:
    latency = Latency.parse(args.latency)
    latency = Latency(latency.fixed, latency.jitter, seed=DEFAULT_LATENCY.seed)
    limits = dict(DEFAULT_LIMITS)
    if args.cw_limit:
        limits["connectwise"] = Limit(total=args.cw_limit)
    extra = ("--parallelism", str(args.parallelism)) if args.parallelism else ()
    results = []
    for psa in psas:
        for size in [int(s) for s in (args.sizes or LATENCY_SIZES).split(",") if s]:
            log.info("bench: building psa=%s clients=%d", psa, size)
            deployment = BenchDeployment.build(args.workdir, psa, size)
            results += run_latency(
                deployment,
                latency=latency,
                repeats=args.repeats,
                limits=limits,
                extra=extra,
                client_tree=args.client_tree,
            )
    text = latency_report.markdown(results)
    sys.stdout.write(text)
    if not args.no_readme:
        write_readme(HERE / "README.md", text, begin=latency_report.BEGIN, end=latency_report.END)
    return 0


def _cpu(args: argparse.Namespace) -> int:
    results = []
    for size in [int(s) for s in (args.sizes or CPU_SIZES).split(",") if s]:
        log.info("bench: building psa=connectwise clients=%d", size)
        results.append(cpu.run_cpu(BenchDeployment.build(args.workdir, "connectwise", size), repeats=args.repeats))
    text = cpu.markdown(results)
    sys.stdout.write(text)
    if not args.no_readme:
        write_readme(HERE / "README.md", text, begin=cpu.BEGIN, end=cpu.END)
    return 0


def _text(latency: Latency) -> str:
    return f"{latency.fixed:g}+{latency.jitter:g}"


if __name__ == "__main__":
    sys.exit(main())
