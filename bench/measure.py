"""Measurement: one `ncesync` command in a child process, its wall time, client CPU time
and peak memory.

The sandbox runs in the benchmark's own process, so the child's peak resident memory is
the product's alone; the sandbox counts the requests per endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from providers.sandbox import SandboxServer
from reconciler.run.runtime import SANDBOX_URL_VARIABLE

# The child reports its own high-water mark at exit: VmHWM belongs to the process image
# after exec, whereas getrusage's maxrss would include the benchmark's pages copied by fork.
CLI = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\nbench-peak-kb ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "from reconciler.cli.main import main\n"
    "main()\n"
)
PEAK = "bench-peak-kb "


@dataclass(frozen=True)
class Measurement:
    phase: str
    exit_code: int
    seconds: float
    peak_mb: float
    requests: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)  # records listed per endpoint
    stderr: str = ""
    refused: dict[str, int] = field(default_factory=dict)  # 429s for requests past a vendor's limit
    peaks: dict[str, int] = field(default_factory=dict)  # most requests in flight at once
    cpu_seconds: float = float("nan")  # the child's user + system time: ncesync's own CPU

    def total(self, vendor: str | None = None) -> int:
        return sum(n for label, n in self.requests.items() if vendor is None or label.split(" ")[1] == vendor)

    def writes(self) -> int:
        return sum(
            n
            for label, n in self.requests.items()
            if label.split(" ")[0] in ("POST", "PATCH", "PUT", "DELETE")
            and "/query" not in label
            and label.split(" ")[1] != "dickerdata"
        )


def run_cli(server: SandboxServer, root: Path, phase: str, *args: str, client_tree: Path | None = None) -> Measurement:
    """`ncesync <args> -C root` against `server`; the server's counts cover this command only.
    `client_tree`: run ncesync from that source tree instead (an older commit, for before
    and after), against the same sandbox."""
    server.counts.reset()
    server.concurrency.reset()
    env = dict(os.environ, **{SANDBOX_URL_VARIABLE: server.url})
    if client_tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(client_tree), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    # The child runs in the deployment folder: from the repository root, `python -c` would
    # import this checkout ahead of `client_tree`.
    root = root.resolve()
    child = subprocess.Popen(
        [sys.executable, "-c", CLI, *args, "-C", str(root)],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = child.stderr.read() if child.stderr else ""
    # wait4 rather than wait: the child's own rusage, which the sandbox threads of this
    # process do not share.
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Measurement(
        phase,
        child.returncode,
        seconds,
        _peak_mb(stderr),
        server.counts.as_dict(),
        server.counts.records(),
        stderr,
        server.concurrency.refused(),
        server.concurrency.peaks(),
        usage.ru_utime + usage.ru_stime,
    )


def require_exit(m: Measurement, what: str, allowed: tuple[int, ...] = (0,)) -> Measurement:
    """`m`, or a RuntimeError with the end of the command's stderr when it ended otherwise:
    a failed run's figures must not reach a table."""
    if m.exit_code not in allowed:
        raise RuntimeError(f"{what} {m.phase}: exit {m.exit_code}\n{m.stderr[-2000:]}")
    return m


def _peak_mb(stderr: str) -> float:
    kilobytes = [line[len(PEAK) :] for line in stderr.splitlines() if line.startswith(PEAK)]
    return int(kilobytes[-1]) / 1024 if kilobytes else float("nan")
