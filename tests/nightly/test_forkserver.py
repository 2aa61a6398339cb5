"""The nightly suite's processes are forked from one that has imported ncesync
(forkserver.py): each must still be a process of its own, as a fresh `python -c` is: its
request's environment and folder (never a previous child's), its own pid, its own exit."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

from tests.nightly import processes
from tests.nightly.worlds import three_connectwise_clients


def _run_id(out: str) -> str:
    found = re.search(r"ncesync plan: \w+ \(exit \d+\) in [\d.]+s, run (\S+?);", out)
    assert found, out
    return found.group(1)


def test_each_child_has_its_requests_environment_and_folder(tmp_path: Path) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    env = processes.environment(NCESYNC_RUN_ID="first-child")
    code, out = processes.run("plan", "-C", ".", "--date", "2024-06-15", env=env, cwd=root)
    assert code == 0, out
    assert _run_id(out) == "first-child"
    code, out = processes.run("plan", "-C", str(root), "--date", "2024-06-15")
    assert code == 0, out
    assert _run_id(out) != "first-child"  # not left over from the previous child
    assert "Traceback" not in out


def test_a_child_is_a_process_of_its_own_that_a_signal_ends(tmp_path: Path) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    process, url = processes.serve(root)
    assert process.pid != os.getpid() and url.startswith("http://127.0.0.1:")
    code, _ = processes.kill(process, signal.SIGKILL)
    assert code == -signal.SIGKILL  # as subprocess reports a process a signal ended
