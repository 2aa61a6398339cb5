"""`make bench`: plan and apply at 100, 1,000 and 5,000 clients on ConnectWise and Autotask.

Usage: python bench/run.py [--sizes 100,1000,5000] [--psa connectwise,autotask]
                           [--workdir DIR] [--no-readme]
Results go to stdout and between the markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # `python bench/run.py` from the repository root

from bench.deployment import BenchDeployment  # noqa: E402
from bench.planning import time_planning  # noqa: E402
from bench.report import markdown, write_readme  # noqa: E402
from bench.scenario import run_scenario  # noqa: E402

log = logging.getLogger("bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--psa", default="connectwise,autotask")
    parser.add_argument("--planning-sizes", default="1000,5000", help="sizes for the pure planning ratio")
    parser.add_argument("--workdir", type=Path, default=Path(".ncesync/bench"))
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("providers").setLevel(logging.WARNING)
    logging.getLogger("reconciler").setLevel(logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = []
    for psa in [p for p in args.psa.split(",") if p]:
        for size in sizes:
            log.info("bench: building psa=%s clients=%d", psa, size)
            results.append(run_scenario(BenchDeployment.build(args.workdir, psa, size)))
    planning = [time_planning(BenchDeployment.build(args.workdir, "connectwise", int(s)))
                for s in args.planning_sizes.split(",") if s]
    text = markdown(results, planning)
    sys.stdout.write(text)
    if not args.no_readme:
        write_readme(HERE / "README.md", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
