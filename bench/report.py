"""Report: the benchmark's results as Markdown tables, written into bench/README.md."""

from __future__ import annotations

import os
import platform
import re
from collections import Counter
from datetime import datetime, timezone
from math import ceil
from pathlib import Path

from bench.planning import PlanningTiming
from bench.scenario import ScenarioResult

AUTOTASK_PAGE = 500
QUERY = re.compile(r"^POST autotask /(\w+)/query(/next)?$")
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    model = _cpu_model()
    memory = _memory_gb()
    return (
        f"{model or cpu}, {os.cpu_count()} CPUs, {memory} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def run_line(how: str = "") -> str:
    """The line above a table: when and on what it was measured, then `how` (repeats...)."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"Run {when} on: {machine()}{'; ' + how if how else ''}."


def markdown(results: list[ScenarioResult], planning: list[PlanningTiming]) -> str:
    lines = [
        run_line(),
        "",
        "| PSA | clients | phase | exit | wall s | peak MB | PSA requests | PSA writes | DD requests |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        d = result.deployment
        for m in result.measurements:
            lines.append(
                f"| {d.psa} | {d.clients:,} | {m.phase} | {m.exit_code} | {m.seconds:.1f} | "
                f"{m.peak_mb:.0f} | {m.total(d.psa):,} | {m.writes():,} | {m.total('dickerdata')} |"
            )
    lines += ["", "Requests per endpoint (plan, then apply):", ""]
    for result in results:
        d = result.deployment
        for m in result.measurements[:2]:
            counts = ", ".join(f"`{label}` {n:,}" for label, n in m.requests.items())
            lines.append(f"* {d.psa} {d.clients:,} {m.phase}: {counts}")
    lines += ["", _autotask_pages(results), "", _planning(planning)]
    return "\n".join(lines) + "\n"


def _autotask_pages(results: list[ScenarioResult]) -> str:
    """Autotask `plan` per entity: records read, the fewest requests that can carry them
    (pages of 500), and the requests made; the difference is the `in` lists of 500 ids."""
    rows = [
        (
            "Autotask `plan`, per entity queried: records read, the fewest pages of 500 they fit in, "
            "and the requests made:"
        ),
        "",
        "| clients | entity | records | ceil(records/500) | requests |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for result in results:
        if result.deployment.psa != "autotask" or not result.measurements:
            continue
        plan = result.measurements[0]
        records: Counter[str] = Counter()
        requests: Counter[str] = Counter()
        for label, n in plan.requests.items():
            found = QUERY.match(label)
            if found:
                requests[found.group(1)] += n
                records[found.group(1)] += plan.records.get(label, 0)
        clients = f"{result.deployment.clients:,}"
        for entity in sorted(requests):
            rows.append(
                f"| {clients} | {entity} | {records[entity]:,} | "
                f"{max(1, ceil(records[entity] / AUTOTASK_PAGE)):,} | {requests[entity]:,} |"
            )
        fewest = sum(max(1, ceil(n / AUTOTASK_PAGE)) for n in (records[e] for e in requests))
        rows.append(
            f"| {clients} | all queries | {sum(records.values()):,} | {fewest:,} | {sum(requests.values()):,} |"
        )
    return "\n".join(rows) if len(rows) > 4 else ""


def _planning(planning: list[PlanningTiming]) -> str:
    if not planning:
        return ""
    rows = [
        "Pure planning step (desired state + diff + render, no I/O; best of 3):",
        "",
        "| PSA | clients | PSA lines | seconds | per 1,000 clients |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for t in planning:
        rows.append(
            f"| {t.psa} | {t.clients:,} | {t.licences:,} | {t.seconds:.2f} | {t.seconds * 1000 / t.clients:.2f} |"
        )
    if len(planning) >= 2:
        small, large = planning[0], planning[-1]
        ratio = large.seconds / small.seconds if small.seconds else float("nan")
        rows += [
            "",
            (
                f"{large.clients:,} vs {small.clients:,} clients: {ratio:.1f}x the time for "
                f"{large.clients / small.clients:.0f}x the clients (linear is {large.clients / small.clients:.0f}x)."
            ),
        ]
    return "\n".join(rows)


def write_readme(path: Path, text: str, *, begin: str = BEGIN, end: str = END) -> None:
    """Replace the results between the markers, keeping the rest of the README."""
    current = path.read_text(encoding="utf-8")
    head, _, rest = current.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{begin}\n{text}{end}{tail}", encoding="utf-8")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _memory_gb() -> str:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return f"{pages * size / 2**30:.0f}"
    except (ValueError, OSError, AttributeError):
        return "?"
