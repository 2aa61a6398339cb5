"""The apply journal: append-only JSON lines, one per write, fsync'd, never holding secrets.

A dispute months later is answered from here: what was written, why, before and after,
and the PSA record id.

Each entry is one `os.write` of a whole line on a file opened for appending, then an
fsync: a crash can lose the entry being written, never tear one already journaled. A
line cut off all the same (a full disk, a copy of the file taken mid-write) is reported
by the reader with its line number and skipped, and the next writer starts a fresh line
rather than gluing its entry onto the damaged one.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.plan.change import Change
from reconciler.secrets import mask

JOURNAL = Path(".ncesync") / "journal.jsonl"
# What `ncesync journal` shows of an entry: a line without these is not one of ours.
REQUIRED = ("time", "run_id", "outcome", "client_id", "client_name", "action", "product_id", "agreement_id", "reason")
EVENT_REQUIRED = ("time", "run_id", "event")


class Journal:
    def __init__(self, root: Path, run_id: str):
        self.path = root / JOURNAL
        self.run_id = run_id
        # outcomes of this run's own writes so far ("settled": an earlier run's write looked up)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()  # apply may write several licences side by side

    def record(
        self,
        change: Change,
        *,
        outcome: str,
        record_id: Any = None,
        error: str | None = None,
        note: str | None = None,
        resolves: str | None = None,
    ) -> None:
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            # started (written just before the write is sent) | applied | failed | skipped |
            # not_applied | unknown (see reconciler/apply/confirmation.py)
            "outcome": outcome,
            "record_id": record_id,
            "client_id": change.client_id,
            "client_name": change.client_name,
            "action": change.action,
            "agreement_id": change.agreement_id,
            "product_id": change.product_id,
            "product_key": change.product_key,
            "line_kind": change.line_kind,
            "line_id": change.line_id,
            "key": change.key,
            "reason": change.reason,
            "effective_date": change.effective_date,
            "before": change.before,
            "after": change.after,
            "runrate_change": change.runrate_change,
            "one_off": change.one_off,
        }
        if change.intended_date:  # a dated change moved off an occupied day
            entry["intended_date"] = change.intended_date
            entry["moved_effect"] = change.moved_effect
        if error:
            entry["error"] = mask(error)  # vendor text may echo a credential back
        if note:
            entry["note"] = mask(note)
        if resolves:
            entry["resolves"] = resolves  # the interrupted run whose write this entry settles
        with self._lock:
            self._append(entry)
            self.counts["settled" if resolves else outcome] += 1

    def event(self, kind: str, **fields: Any) -> None:
        """A line about the run itself (e.g. where it stopped), not about one write."""
        with self._lock:
            self._append(
                {
                    "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "run_id": self.run_id,
                    "event": kind,
                    **{k: mask(v) if isinstance(v, str) else v for k, v in fields.items()},
                }
            )

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, sort_keys=True, default=str) + "\n"
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            data = line.encode("utf-8")
            if _ends_mid_line(fd):
                data = b"\n" + data
            written = os.write(fd, data)
            if written != len(data):  # a full disk: say so rather than leave half a line unsaid
                raise OSError(f"{self.path}: only {written} of {len(data)} bytes of a journal entry were written")
            os.fsync(fd)
        finally:
            os.close(fd)


def _ends_mid_line(fd: int) -> bool:
    """True when the file's last byte is not a newline (a line was cut off)."""
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


@dataclass(frozen=True)
class DamagedLine:
    line: int  # 1-based line number in the journal file
    reason: str


@dataclass(frozen=True)
class JournalReading:
    path: Path
    entries: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)


# What apply reads back at its start to find writes a killed run left unsettled: the journal
# of a busy deployment grows by megabytes a night, and such a write is always recent.
RECENT_BYTES = 8 << 20


def scan_journal(root: Path, *, last_bytes: int | None = None) -> JournalReading:
    """Every whole entry, and the lines that are not one (with their numbers). With
    `last_bytes`, only the lines that start in that many bytes at the end of the file
    (line numbers then count from there)."""
    path = root / JOURNAL
    reading = JournalReading(path)
    if not path.exists():
        return reading
    with open(path, "rb") as handle:
        if last_bytes is not None and os.fstat(handle.fileno()).st_size > last_bytes:
            handle.seek(-last_bytes, os.SEEK_END)
            handle.readline()  # the rest of a line that started before the window
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            entry, problem = _entry(raw)
            if entry is None:
                reading.damaged.append(DamagedLine(number, problem))
            else:
                reading.entries.append(entry)
    return reading


STARTED = "started"


def identity(entry: dict[str, Any]) -> tuple[Any, ...]:
    """The change an entry is about (a plan has one change per identity)."""
    return (
        entry.get("action"),
        entry.get("client_id"),
        entry.get("agreement_id"),
        entry.get("product_id"),
        entry.get("line_kind"),
        entry.get("key"),
    )


def interrupted(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ "started" entries with no outcome after them: the run ended (killed, power lost)
    between sending the write and journaling its answer, so the PSA may or may not hold it."""
    writes = [e for e in entries if "outcome" in e]
    settled = {(e["run_id"], identity(e)) for e in writes if e["outcome"] != STARTED}
    settled |= {(e["resolves"], identity(e)) for e in writes if e.get("resolves")}
    return [e for e in writes if e["outcome"] == STARTED and (e["run_id"], identity(e)) not in settled]


def change_of(entry: dict[str, Any]) -> Change:
    """The change a journal entry records, as the plan had it."""
    return Change(
        action=entry["action"],
        client_id=entry["client_id"],
        client_name=entry["client_name"],
        agreement_id=entry["agreement_id"],
        product_id=entry["product_id"],
        product_key=entry.get("product_key") or "",
        line_kind=entry.get("line_kind") or "main",
        reason=entry["reason"],
        effective_date=entry["effective_date"],
        line_id=entry.get("line_id"),
        before=entry.get("before") or {},
        after=entry.get("after") or {},
        runrate_change=entry.get("runrate_change", "0.00"),
        one_off=entry.get("one_off", "0.00"),
        key=entry.get("key"),
    )


def outcomes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per write: its outcome; its "started" entry only while it has none."""
    open_ones = {id(e) for e in interrupted(entries)}
    return [e for e in entries if e.get("outcome") != STARTED or id(e) in open_ones]


def read_journal(root: Path) -> list[dict[str, Any]]:
    """The outcome of every write (damaged lines skipped: see `scan_journal`)."""
    return outcomes(scan_journal(root).entries)


def _entry(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "not a whole JSON entry (cut off or corrupted)"
    if not isinstance(entry, dict):
        return None, f"a JSON {type(entry).__name__}, not a journal entry"
    required = EVENT_REQUIRED if "event" in entry else REQUIRED  # a line about the run itself
    missing = [name for name in required if name not in entry]
    if missing:
        return None, f"not a journal entry: missing {', '.join(missing)}"
    wrong = _wrongly_typed(entry)
    if wrong:
        return None, f"not a journal entry: {wrong}"
    return entry, ""


# Members a reader keys or compares on: text or a number (an id may be either), or null.
SCALARS = (
    "time", "run_id", "event", "outcome", "client_id", "client_name", "action", "product_id", "product_key",
    "agreement_id", "reason", "line_kind", "line_id", "key", "resolves", "effective_date",
)  # fmt: skip


def _wrongly_typed(entry: dict[str, Any]) -> str:
    """What makes an entry unusable although it has every member ('' when nothing does): a
    member of the wrong JSON type, or a date that is not one. Such a line is skipped as
    damaged, like a cut-off one, instead of failing every later apply."""
    for name in SCALARS:
        value = entry.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            return f"{name} is a JSON {type(value).__name__}, not text or a number"
    for name in ("before", "after"):
        if entry.get(name) is not None and not isinstance(entry[name], dict):
            return f"{name} is a JSON {type(entry[name]).__name__}, not an object"
    after = entry.get("after") or {}
    for where, value in (
        ("effective_date", entry.get("effective_date")),
        ("after.effective_date", after.get("effective_date")),
    ):
        if value is not None:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                return f"{where} {str(value)[:30]!r} is not a date"
    for where, side in (("before", entry.get("before") or {}), ("after", after)):
        for name in ("quantity", "units_in_force"):
            value = side.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return f"{where}.{name} {str(value)[:30]!r} is not a whole number"
    return ""
