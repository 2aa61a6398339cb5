"""ncesync in a process of its own, as cron or CI runs it: for kills, signals and races.

The processes are forked from one that has already imported ncesync (forkserver.py): they
start in milliseconds instead of a quarter of a second of imports."""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from providers.sandbox.faults import ENV_VAR
from tests.nightly.forkserver import REPO, ForkedProcess, ForkServer

_SERVER: list[ForkServer] = []  # this test process's fork server, started on first use
_SERVER_LOCK = threading.Lock()


def environment(*, faults: list[dict[str, Any]] | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCESYNC_")}
    env["PYTHONPATH"] = str(REPO)
    if faults:
        env[ENV_VAR] = json.dumps(faults)
    env.update(extra)
    return env


def start(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> ForkedProcess:
    """`ncesync ARGS` with stdin from /dev/null and stdout and stderr together, as text."""
    with _SERVER_LOCK:
        if not _SERVER:
            server = ForkServer(environment())
            atexit.register(server.close)
            _SERVER.append(server)
    return _SERVER[0].start(list(args), env or environment(), cwd or REPO)


def finish(process: ForkedProcess, timeout: float = 60) -> tuple[int, str]:
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode is not None
    return process.returncode, out


def run(*args: str, **kwargs: Any) -> tuple[int, str]:
    return finish(start(*args, **kwargs))


def wait_for(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def journal_lines(root: Path) -> list[dict[str, Any]]:
    path = root / ".ncesync" / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def kill(process: ForkedProcess, sig: int = signal.SIGKILL) -> tuple[int, str]:
    process.send_signal(sig)
    return finish(process)


def serve(root: Path, env: dict[str, str] | None = None) -> tuple[ForkedProcess, str]:
    """`ncesync sandbox serve` on a free port; its URL once it listens."""
    process = start("sandbox", "serve", "-C", str(root), env=env)
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"NCESYNC_SANDBOX_URL=(\S+)", line)
        if found:
            return process, found.group(1)
    raise AssertionError(f"sandbox serve did not start: {finish(process)}")
