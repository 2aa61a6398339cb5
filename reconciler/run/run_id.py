"""The id of this run, on every log line, journal entry, summary line and alert.

A scheduler (a Kubernetes Job, a GitHub Actions run, a systemd unit) can pass its own id
with `--run-id` or NCESYNC_RUN_ID, so ncesync's lines and the scheduler's own can be
joined; otherwise each process makes one.
"""

from __future__ import annotations

import logging
import uuid

RUN_ID_VARIABLE = "NCESYNC_RUN_ID"

_run_id: str | None = None


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def set_run_id(value: str | None) -> str:
    """Start a run: `value` when the scheduler gave one, else a new id."""
    global _run_id
    _run_id = value or new_run_id()
    return _run_id


def run_id() -> str:
    return _run_id or set_run_id(None)


class RunIdFilter(logging.Filter):
    """Puts the run id on every record, so JSON log lines carry it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = run_id()
        return True
