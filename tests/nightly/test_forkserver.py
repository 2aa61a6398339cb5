"""The nightly suite's processes are forked from one that has imported ncesync
(forkserver.py): each must still be a process of its own, as a fresh `python -c` is: its
request's environment and folder (never the server's), its own exit, and signals that
reach it only while it runs."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.nightly import processes
from tests.nightly.forkserver import REPO, ForkServer
from tests.nightly.worlds import three_connectwise_clients

DAY = ("--date", "2024-06-15")


def _run_id(out: str) -> str:
    found = re.search(r"ncesync plan: \w+ \(exit \d+\) in [\d.]+s, run (\S+?);", out)
    assert found, out
    return found.group(1)


def test_a_child_has_its_requests_environment_and_folder_not_the_servers(tmp_path: Path) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    server = ForkServer(processes.environment(NCESYNC_RUN_ID="the-server"))
    try:
        child = server.start(["plan", "-C", ".", *DAY], processes.environment(NCESYNC_RUN_ID="the-child"), root)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0, out
        assert _run_id(out) == "the-child"
        child = server.start(["plan", "-C", str(root), *DAY], processes.environment(), REPO)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0, out
        assert _run_id(out) not in ("the-server", "the-child")
        assert "Traceback" not in out
    finally:
        server.close()


def test_a_signal_ends_a_running_child_and_is_not_sent_once_it_has_ended(tmp_path: Path) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    process, url = processes.serve(root)
    assert url.startswith("http://127.0.0.1:")
    code, _ = processes.kill(process, signal.SIGKILL)
    assert code == -signal.SIGKILL  # as subprocess reports a process a signal ended

    ended = processes.start("--version")
    processes.wait_for(lambda: ended.poll() is not None, timeout=30, what="ncesync --version to end")
    assert ended.returncode == 0
    ended.send_signal(signal.SIGTERM)  # nothing to signal, as with Popen
    code, out = processes.finish(ended)
    assert code == 0 and "ncesync" in out
