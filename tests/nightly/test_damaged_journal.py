"""A journal cut off mid-line (a crash, a full disk) is still readable, and the next apply
starts a fresh line instead of gluing its entry onto the damaged one."""

from __future__ import annotations

import json
import os

from reconciler.apply.journal import JOURNAL, Journal, read_journal, scan_journal
from tests.e2e.worlds import connectwise_world, working_world, write_deployment
from tests.engine.test_apply import change

DAY = ("--date", "2024-06-15")


def entry_line(client: str, run_id: str = "old") -> str:
    return json.dumps(
        {
            "time": "2024-06-14T10:00:00+00:00",
            "run_id": run_id,
            "outcome": "applied",
            "record_id": 7,
            "client_id": client,
            "client_name": client.title(),
            "action": "set_quantity",
            "agreement_id": 1,
            "product_id": "P1",
            "line_id": 7,
            "reason": "test",
            "effective_date": "2024-06-14",
            "before": {"quantity": 1},
            "after": {"quantity": 2},
            "runrate_change": "0",
            "one_off": "0",
        },
        sort_keys=True,
    )


def damaged_journal(root) -> None:
    path = root / JOURNAL
    path.parent.mkdir(parents=True, exist_ok=True)
    whole = entry_line("alpha")
    path.write_text(whole + "\n" + entry_line("beta")[:57])  # the second line was cut off


def test_the_reader_skips_a_damaged_line_and_names_its_number(tmp_path) -> None:
    damaged_journal(tmp_path)
    reading = scan_journal(tmp_path)
    assert [e["client_id"] for e in reading.entries] == ["alpha"]
    [damage] = reading.damaged
    assert damage.line == 2 and "not a whole JSON entry" in damage.reason
    assert [e["client_id"] for e in read_journal(tmp_path)] == ["alpha"]


def test_an_entry_that_is_json_but_not_a_journal_entry_is_reported_too(tmp_path) -> None:
    path = tmp_path / JOURNAL
    path.parent.mkdir(parents=True)
    path.write_text(entry_line("alpha") + '\n[1, 2]\n{"time": "x"}\n')
    reading = scan_journal(tmp_path)
    assert [d.line for d in reading.damaged] == [2, 3]
    assert "missing" in reading.damaged[1].reason and "client_id" in reading.damaged[1].reason


def test_a_line_about_the_run_itself_is_not_damage(tmp_path) -> None:
    path = tmp_path / JOURNAL
    path.parent.mkdir(parents=True)
    event = {"time": "2024-06-14T10:00:01+00:00", "run_id": "old", "event": "stopped", "reason": "circuit breaker"}
    path.write_text(entry_line("alpha") + "\n" + json.dumps(event) + "\n")
    reading = scan_journal(tmp_path)
    assert reading.damaged == [] and len(reading.entries) == 2
    assert [e.get("client_id") for e in read_journal(tmp_path)] == ["alpha", None]


def test_the_writer_starts_a_fresh_line_after_a_damaged_one(tmp_path) -> None:
    damaged_journal(tmp_path)
    Journal(tmp_path, "new").record(change("gamma", "P1"), outcome="applied", record_id=9)
    lines = (tmp_path / JOURNAL).read_text().split("\n")
    assert lines[1] == entry_line("beta")[:57]  # left as it was, on its own line
    assert json.loads(lines[2])["client_id"] == "gamma"
    assert [e["client_id"] for e in read_journal(tmp_path)] == ["alpha", "gamma"]


def test_each_entry_is_one_whole_write_flushed_to_disk(tmp_path, monkeypatch) -> None:
    """One os.write per entry (never a partial buffered line a crash could cut) and an fsync."""
    writes, syncs = [], []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(os, "write", lambda fd, data: writes.append(bytes(data)) or real_write(fd, data))
    monkeypatch.setattr(os, "fsync", lambda fd: syncs.append(fd) or real_fsync(fd))
    Journal(tmp_path, "r").record(change("alpha", "P1"), outcome="applied", record_id=1)
    assert len(writes) == 1 and writes[0].endswith(b"\n") and json.loads(writes[0])["client_id"] == "alpha"
    assert syncs


def test_ncesync_journal_reports_the_damaged_line_without_a_traceback(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    damaged_journal(run.root)
    code, out = run("journal")
    assert code == 0, out
    assert "Traceback" not in out
    assert f"{run.root / JOURNAL}:2: damaged line skipped" in out
    assert "Alpha: set_quantity P1" in out


def test_an_apply_after_a_damaged_line_journals_on_a_line_of_its_own(run) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    damaged_journal(run.root)
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [15]
    entries = read_journal(run.root)
    assert [(e["client_name"], e["outcome"]) for e in entries] == [("Alpha", "applied"), ("Contoso Ltd", "applied")]
    code, out = run("journal", "--format", "json")
    assert code == 0 and "Traceback" not in out


def test_apply_looks_for_unsettled_writes_in_the_journal_s_recent_end_only(tmp_path) -> None:
    path = tmp_path / JOURNAL
    path.parent.mkdir(parents=True)
    old = [entry_line(f"client-{i}", run_id="long-ago") for i in range(200)]
    path.write_text("\n".join(old) + "\n" + entry_line("recent", run_id="last-night") + "\n")
    tail = scan_journal(tmp_path, last_bytes=len(entry_line("recent")) * 3)
    assert [e["client_id"] for e in tail.entries][-1] == "recent" and len(tail.entries) <= 3
    assert tail.damaged == []  # the line cut by the window is skipped, not reported


def _typed_damage(**changed: object) -> str:
    entry = json.loads(entry_line("beta"))
    entry.update(changed)
    return json.dumps(entry)


DAMAGE = {
    "action a list": {"action": []},
    "client id an object": {"client_id": {}},
    "key a list": {"key": ["k"]},
    "run id true": {"run_id": True},
    "after text": {"after": "oops"},
    "effective date not a date": {"effective_date": "yesterday"},
    "quantity not a number": {"after": {"quantity": "many"}},
}


def test_an_entry_with_a_member_of_the_wrong_type_is_damage_with_its_line_number(tmp_path) -> None:
    path = tmp_path / JOURNAL
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([entry_line("alpha"), *(_typed_damage(**d) for d in DAMAGE.values())]) + "\n")
    reading = scan_journal(tmp_path)
    assert [e["client_id"] for e in reading.entries] == ["alpha"]
    assert [d.line for d in reading.damaged] == list(range(2, 2 + len(DAMAGE)))
    assert all(d.reason.startswith("not a journal entry: ") for d in reading.damaged)


def test_journal_and_apply_go_on_past_typed_damage_and_an_unreadable_interrupted_write(run) -> None:
    """Each of these failed `journal` and every later apply with an internal error (exit 70)."""
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    path = run.root / JOURNAL
    path.parent.mkdir(parents=True, exist_ok=True)
    started = {"outcome": "started", "run_id": "killed", "effective_date": "2024-06-14"}
    lines = [_typed_damage(**d) for d in DAMAGE.values()]
    lines += [_typed_damage(**started, after={"quantity": 2, "unit_price": "abc"})]
    path.write_text("\n".join(lines) + "\n")
    code, out = run("journal")
    assert code == 0 and "Traceback" not in out and "Internal error" not in out, out
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert "Internal error" not in out
    assert [a["quantity"] for a in working_world(run.root)["connectwise"]["additions"]] == [15]


def test_journal_stays_readable_when_settings_yaml_is_not_utf_8(run) -> None:
    """`journal` reads the PSA's name from settings.yaml only to word its lines; a settings
    file saved as Latin-1 failed it with an internal error."""
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    damaged_journal(run.root)
    settings = run.root / "specs" / "settings.yaml"
    settings.write_bytes(settings.read_bytes() + b"# caf\xe9\n")
    code, out = run("journal")
    assert code == 0, out
    assert "Alpha: set_quantity P1" in out and "Internal error" not in out
