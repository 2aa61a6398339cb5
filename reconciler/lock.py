"""One apply at a time per PSA tenant: an exclusive lock file naming its holder.

The lock lives under the deployment's `.ncesync/locks/`, so the nightly job and a manual
`--client` sync started from the same deployment exclude each other. Creation is atomic
(O_CREAT | O_EXCL): of two applies started at the same moment exactly one wins.
"""

from __future__ import annotations

import json
import os
import re
import socket
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.errors import LockHeldError

LOCKS = Path(".ncesync") / "locks"


def lock_path(root: Path, tenant_key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", tenant_key)
    return root / LOCKS / f"{safe}.lock"


def holder(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def describe(info: dict[str, Any] | None) -> str:
    if not info:
        return "an unknown holder (unreadable lock file)"
    text = f"host {info.get('host')}, pid {info.get('pid')}, since {info.get('time')}, run {info.get('run_id')}"
    if info.get("host") == socket.gethostname() and not _alive(int(info.get("pid", 0))):
        text += " (that process is gone: the lock looks stale; `ncesync unlock` breaks it)"
    return text


class ApplyLock(AbstractContextManager["ApplyLock"]):
    def __init__(self, root: Path, tenant_key: str, run_id: str):
        self.path = lock_path(root, tenant_key)
        self.tenant_key = tenant_key
        self.run_id = run_id

    def __enter__(self) -> "ApplyLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        info = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "tenant": self.tenant_key,
        }
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise LockHeldError(
                f"another apply holds the lock for {self.tenant_key} ({self.path}): {describe(holder(self.path))}"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(info, handle)
            handle.flush()
            os.fsync(handle.fileno())
        return self

    def __exit__(self, *exc: object) -> None:
        current = holder(self.path)
        if current and current.get("run_id") == self.run_id:
            self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
