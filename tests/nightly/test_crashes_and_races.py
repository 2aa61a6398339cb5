"""kill -9 at several write counts and applies racing each other, with the embedded sandbox
(the "PSA" dies with the process) and a served one (it outlives the killed apply). After
each scenario and a plain rerun (never `unlock`): no write lost, none duplicated, the journal
true to the PSA (one "applied" entry per write the PSA holds), and no traceback."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from reconciler.apply.journal import read_journal
from tests.nightly import processes
from tests.nightly.worlds import three_connectwise_clients, two_autotask_clients

DAY = ("--date", "2024-06-15")
SLOW = 0.3  # seconds each sandbox write takes, so that a run can be caught between writes


def world_of(root: Path) -> dict:
    return json.loads((root / ".ncesync" / "world.json").read_text())


def assert_connectwise_converged(root: Path) -> None:
    """12 -> 15, 6 -> 8, 3 -> 4, each main line written once, and journaled once."""
    additions = world_of(root)["connectwise"]["additions"]
    assert {a["agreementId"]: a["quantity"] for a in additions} == {1001: 15, 1002: 8, 1003: 4}
    assert len(additions) == 3  # no duplicate line
    applied = Counter(e["line_id"] for e in read_journal(root) if e["outcome"] == "applied")
    assert applied == {501: 1, 502: 1, 503: 1}, read_journal(root)
    assert not [e for e in read_journal(root) if e["outcome"] in ("started", "unknown")]


def assert_autotask_converged(root: Path) -> None:
    """One adjustment per contract (+3 and +2), each journaled once as applied."""
    adjustments = world_of(root)["autotask"]["contractServiceAdjustments"]
    assert sorted((a["contractID"], a["unitChange"]) for a in adjustments) == [(7001, 3), (7002, 2)]
    applied = Counter(e["agreement_id"] for e in read_journal(root) if e["outcome"] == "applied")
    assert applied == {7001: 1, 7002: 1}, read_journal(root)
    assert not [e for e in read_journal(root) if e["outcome"] in ("started", "unknown")]


def no_traceback(*outputs: str) -> None:
    for out in outputs:
        assert "Traceback" not in out, out


@pytest.fixture
def served_sandbox():
    """`ncesync sandbox serve` for a deployment, stopped at the end of the test."""
    started = []

    def start(root: Path, faults: list[dict]) -> str:
        process, url = processes.serve(root, env=processes.environment(faults=faults))
        started.append(process)
        return url

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


def start_apply(root: Path, *extra: str, url: str | None = None, faults: list[dict] | None = None):
    env = processes.environment(faults=faults, **({"NCESYNC_SANDBOX_URL": url} if url else {}))
    return processes.start("apply", "-C", str(root), *DAY, "--auto-approve", *extra, env=env)


def rerun(root: Path, url: str | None = None) -> str:
    env = processes.environment(**({"NCESYNC_SANDBOX_URL": url} if url else {}))
    code, out = processes.run("apply", "-C", str(root), *DAY, "--auto-approve", env=env)
    assert code == 0, out
    return out


def kill_after(root: Path, process, writes: int) -> str:
    """kill -9 while write number `writes + 1` is in flight."""

    def in_flight() -> bool:
        entries = processes.journal_lines(root)
        return sum(e["outcome"] == "started" for e in entries) > writes

    processes.wait_for(in_flight, what=f"write {writes + 1} to start")
    code, out = processes.kill(process, signal.SIGKILL)
    assert code == -signal.SIGKILL
    return out


@pytest.mark.parametrize("writes", [0, 1, 2])
def test_kill_9_of_an_apply_on_the_embedded_sandbox(tmp_path, writes) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    slow = [{"kind": "slow", "delay": SLOW, "times": 0, "method": "PATCH"}]
    out = kill_after(root, start_apply(root, faults=slow), writes)
    assert len(list((root / ".ncesync" / "locks").glob("*.lock"))) == 1  # left behind, but not held
    out2 = rerun(root)
    assert_connectwise_converged(root)
    no_traceback(out, out2)


@pytest.mark.parametrize("writes", [0, 1, 2])
def test_kill_9_of_an_apply_on_a_served_sandbox_that_finishes_the_write(tmp_path, served_sandbox, writes) -> None:
    """The PSA outlives the apply and makes the write it was sent: the rerun finds it and
    journals it as applied (it is not written again)."""
    root = three_connectwise_clients(tmp_path / "dep")
    url = served_sandbox(root, [{"kind": "slow", "delay": SLOW, "times": 0, "method": "PATCH"}])
    out = kill_after(root, start_apply(root, url=url), writes)
    time.sleep(SLOW + 0.2)  # the served sandbox finishes the write the killed apply sent
    out2 = rerun(root, url)
    assert "sent by run" in (root / ".ncesync" / "journal.jsonl").read_text()
    assert_connectwise_converged(root)
    no_traceback(out, out2)


def test_sigterm_of_an_apply_on_a_served_sandbox(tmp_path, served_sandbox) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    url = served_sandbox(root, [{"kind": "slow", "delay": SLOW, "times": 0, "method": "PATCH"}])
    process = start_apply(root, url=url)
    processes.wait_for(lambda: any(e["outcome"] == "started" for e in processes.journal_lines(root)), what="a write")
    code, out = processes.kill(process, signal.SIGTERM)
    assert code == 143 and "Interrupted (SIGTERM) after" in out
    out2 = rerun(root, url)
    assert_connectwise_converged(root)
    no_traceback(out, out2)


def race(root: Path, first: tuple[str, ...], second: tuple[str, ...], url: str | None, faults: list[dict] | None):
    a = start_apply(root, *first, url=url, faults=faults)
    b = start_apply(root, *second, url=url, faults=faults)
    return processes.finish(a), processes.finish(b)


def outcome(code: int, out: str) -> str:
    if code == 0 and "Applied" in out:
        return "applied"
    if code == 0 and "No changes." in out:
        return "nothing to do"
    if code == 1 and "another apply holds the lock" in out:
        return "lock held"
    raise AssertionError(f"unexpected end of an apply ({code}):\n{out}")


@pytest.mark.parametrize("sandbox", ["embedded", "served"])
def test_two_whole_applies_at_once_write_everything_once(tmp_path, served_sandbox, sandbox) -> None:
    root = three_connectwise_clients(tmp_path / "dep")
    slow = [{"kind": "slow", "delay": SLOW, "times": 0, "method": "PATCH"}]
    url = served_sandbox(root, slow) if sandbox == "served" else None
    (code_a, out_a), (code_b, out_b) = race(root, (), (), url, None if url else slow)
    ends = sorted([outcome(code_a, out_a), outcome(code_b, out_b)])
    assert ends in (["applied", "lock held"], ["applied", "nothing to do"])
    assert_connectwise_converged(root)
    no_traceback(out_a, out_b)


@pytest.mark.parametrize("sandbox", ["embedded", "served"])
def test_two_per_client_applies_at_once_lose_no_adjustment(tmp_path, served_sandbox, sandbox) -> None:
    root = two_autotask_clients(tmp_path / "dep")
    slow = [{"kind": "slow", "delay": SLOW, "times": 0, "vendor": "autotask", "path_contains": "Adjustments"}]
    url = served_sandbox(root, slow) if sandbox == "served" else None
    (code_a, out_a), (code_b, out_b) = race(
        root, ("--client", "contoso"), ("--client", "fabrikam"), url, None if url else slow
    )
    ends = [outcome(code_a, out_a), outcome(code_b, out_b)]
    assert "applied" in ends
    for name, end in zip(("contoso", "fabrikam"), ends, strict=False):
        if end == "lock held":  # the nightly job's retry: run it again once the other is done
            env = processes.environment(**({"NCESYNC_SANDBOX_URL": url} if url else {}))
            code, out = processes.run("apply", "-C", str(root), *DAY, "--auto-approve", "--client", name, env=env)
            assert code == 0, out
    assert_autotask_converged(root)
    no_traceback(out_a, out_b)
