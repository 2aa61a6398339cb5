"""The apply journal: append-only JSON lines, one per write, fsync'd, never holding secrets.

A dispute months later is answered from here: what was written, why, before and after,
and the PSA record id.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.change import Change
from reconciler.logs import mask

JOURNAL = Path(".ncesync") / "journal.jsonl"


class Journal:
    def __init__(self, root: Path, run_id: str):
        self.path = root / JOURNAL
        self.run_id = run_id

    def record(self, change: Change, *, outcome: str, record_id: Any = None, error: str | None = None) -> None:
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "outcome": outcome,  # applied | failed | skipped
            "record_id": record_id,
            "client_id": change.client_id,
            "client_name": change.client_name,
            "action": change.action,
            "agreement_id": change.agreement_id,
            "product_id": change.product_id,
            "line_id": change.line_id,
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
        self._append(entry)

    def event(self, kind: str, **fields: Any) -> None:
        """A line about the run itself (e.g. where it stopped), not about one write."""
        self._append({
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "event": kind,
            **{k: mask(v) if isinstance(v, str) else v for k, v in fields.items()},
        })

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, sort_keys=True, default=str) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def read_journal(root: Path) -> list[dict[str, Any]]:
    path = root / JOURNAL
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
