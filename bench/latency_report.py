"""The latency benchmark as a Markdown table for bench/README.md, with each plan's requests
beside the floor: the fewest requests that could carry the records it read."""

from __future__ import annotations

import re
from collections import Counter
from math import ceil

from bench.latency import LatencyResult
from bench.measure import Measurement
from bench.report import run_line

BEGIN = "<!-- bench:latency:begin -->"
END = "<!-- bench:latency:end -->"
PAGE = {"autotask": 500, "connectwise": 1000}
# Listings whose records could share pages: Autotask queries (and their next pages) per
# entity, ConnectWise top-level lists. ConnectWise additions are one request per agreement.
_LISTING = {
    "autotask": re.compile(r"^POST autotask /(\w+)/query(?:/next)?$"),
    "connectwise": re.compile(r"^GET connectwise (/company/companies|/finance/agreements|/procurement/catalog)$"),
}


def floor(m: Measurement, psa: str) -> int:
    """The fewest PSA requests that could have carried what `m` read: each listing's records
    in full pages, every other request as it was made."""
    pattern, page = _LISTING[psa], PAGE[psa]
    records: Counter[str] = Counter()
    other = 0
    for label, n in m.requests.items():
        if label.split(" ")[1] != psa:
            continue
        found = pattern.match(label)
        if found:
            records[found.group(1)] += m.records.get(label, 0)
        else:
            other += n
    return other + sum(max(1, ceil(n / page)) for n in records.values())


def records_read(m: Measurement, psa: str) -> int:
    return sum(n for label, n in m.records.items() if label.split(" ")[1] == psa)


def markdown(results: list[LatencyResult]) -> str:
    repeats = max((len(r.runs) for r in results), default=0)
    lines = [
        run_line(f"each figure the median of {repeats} runs"),
        "",
        (
            "| PSA | clients | latency | phase | wall s (median) | min-max | PSA requests | floor | records read "
            "| writes | 429s | most in flight |"
        ),
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        d, m = r.deployment, r.last
        low, high = min(x.seconds for x in r.runs), max(x.seconds for x in r.runs)
        plan_floor = f"{floor(m, d.psa):,}" if r.phase == "plan" else ""
        lines.append(
            f"| {d.psa} | {d.clients:,} | {r.latency.describe()} | {r.phase} | {r.median_seconds:.1f} | "
            f"{low:.1f}-{high:.1f} | {m.total(d.psa):,} | {plan_floor} | {records_read(m, d.psa):,} | "
            f"{m.writes():,} | {r.refused} | {m.peaks.get(d.psa, 0)} |"
        )
    lines += ["", "Requests per endpoint (last run):", ""]
    for r in results:
        counts = ", ".join(
            f"`{label}` {n:,}" for label, n in r.last.requests.items() if label.split(" ")[1] == r.deployment.psa
        )
        lines.append(f"* {r.deployment.psa} {r.deployment.clients:,} {r.phase}: {counts}")
    return "\n".join(lines) + "\n"
