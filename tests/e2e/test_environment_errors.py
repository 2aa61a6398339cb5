"""What the machine refuses (a file where ncesync keeps a folder, a folder where it keeps a
file, a path that does not exist) is an error of the run, exit 1, saying where and what to
do: never "a bug in ncesync" (exit 70), never a traceback."""

from __future__ import annotations

import errno
import json
import os

import pytest

from tests.e2e.worlds import three_clients_world, write_deployment


def _in_the_way(run, what: str) -> str:
    state = run.root / ".ncesync"
    if what == "a file where the state folder goes":
        state.write_text("")
        return f"{state}: File exists; a file is in the way of a folder ncesync keeps there; move it aside"
    (state / "journal.jsonl").mkdir(parents=True)
    return f"{state / 'journal.jsonl'}: Is a directory; a folder is in the way of a file ncesync keeps there"


@pytest.mark.parametrize("what", ["a file where the state folder goes", "a folder where the journal goes"])
def test_a_path_in_the_way_is_an_error_of_the_run(run, what: str) -> None:
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    said = _in_the_way(run, what)
    code, out = run("apply", "--date", "2024-06-15", "--auto-approve")
    assert code == 1, out
    assert f"Error: {said}" in out
    assert "Internal error" not in out and "Traceback" not in out
    assert out.strip().splitlines()[-1].startswith("ncesync apply: failed (exit 1)")


def test_a_full_disk_leaves_the_last_saved_plan_whole(run, monkeypatch: pytest.MonkeyPatch) -> None:
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    saved = run.root / "plan.json"
    assert run("plan", "--date", "2024-06-15", "--out", str(saved))[0] == 0
    before = saved.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, out = run("plan", "--date", "2024-06-16", "--out", str(saved))
    assert code == 1, out
    assert "No space left on device; the disk is full; free some space and run again" in out
    assert saved.read_bytes() == before  # the plan of the 15th, whole
    assert sorted(p.name for p in run.root.iterdir() if p.name.startswith(".plan.json")) == []  # no temp left
    assert "Internal error" not in out


def test_a_folder_where_the_plan_goes_is_named(run) -> None:
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    target = run.root / "plans"
    target.mkdir()
    code, out = run("plan", "--date", "2024-06-15", "--out", str(target))
    assert code == 64 and f"'{target}' is a directory" in out, out  # said before anything is read
    assert "Internal error" not in out and "Traceback" not in out


def test_a_network_error_no_provider_caught_is_still_an_internal_error() -> None:
    """Only what the file system refuses is the machine's: a bare socket or HTTP error that
    reaches the command line is a bug (exit 70), not "check the path"."""
    from reconciler.cli.exitcodes import refused_by_the_machine

    assert not refused_by_the_machine(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"))
    assert not refused_by_the_machine(OSError(errno.EADDRINUSE, "Address already in use"))
    assert refused_by_the_machine(OSError(errno.ENOSPC, "No space left on device"))
    assert refused_by_the_machine(
        IsADirectoryError(errno.EISDIR, "Is a directory", "/deployment/.ncesync/journal.jsonl")
    )


def test_a_saved_plan_gets_the_permissions_a_plain_write_gives_and_keeps_a_link(run) -> None:
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    old = os.umask(0o027)  # not the fallback (0o022): the umask must be read
    try:
        saved = run.root / "plan.json"
        assert run("plan", "--date", "2024-06-15", "--out", str(saved))[0] == 0
        assert saved.stat().st_mode & 0o777 == 0o640  # what a plain write gives under this umask
        saved.chmod(0o604)
        link = run.root / "latest.json"
        link.symlink_to(saved)
        assert run("plan", "--date", "2024-06-16", "--out", str(link))[0] == 0
        assert link.is_symlink() and json.loads(saved.read_text())["sync_date"] == "2024-06-16"
        assert saved.stat().st_mode & 0o777 == 0o604  # the file's own permissions kept
    finally:
        os.umask(old)
