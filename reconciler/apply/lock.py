"""One apply at a time per PSA tenant: an OS-level lock that names its holder.

The lock lives under the deployment's `.ncesync/locks/`, named after the PSA tenant's
identity (`TargetProvider.tenant_key`: for example a site and company, or a database;
never a URL's port or a secret), so the nightly job and a manual `--client` sync
started from the same deployment exclude each other. It is a `flock` (reconciler/apply/oslock.py):
the operating system releases it when the apply ends, however it ends, so a crashed or killed
apply never blocks the next nightly run, and a live holder can never be broken. The file
holds who has it (host, pid, start time, run id) for the message the next apply shows.
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

from reconciler.apply.oslock import OsLock
from reconciler.errors import LockHeldError

LOCKS = Path(".ncesync") / "locks"


def lock_path(root: Path, tenant_key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", tenant_key)
    return root / LOCKS / f"{safe}.lock"


def holder(path: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(OsLock(path).read() or "null")
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def describe(info: dict[str, Any] | None) -> str:
    if not info:
        return "an apply that has not yet written its name (it started a moment ago)"
    return f"host {info.get('host')}, pid {info.get('pid')}, since {info.get('time')}, run {info.get('run_id')}"


def is_held(path: Path) -> bool:
    """True while a live process holds the lock at `path` (checked by trying to take it)."""
    if not path.exists():
        return False
    probe = OsLock(path)
    if probe.acquire(wait=False):
        probe.release()
        return False
    return True


class ApplyLock(AbstractContextManager["ApplyLock"]):
    def __init__(self, root: Path, tenant_key: str, run_id: str):
        self.path = lock_path(root, tenant_key)
        self.tenant_key = tenant_key
        self.run_id = run_id
        self._lock = OsLock(self.path)

    def __enter__(self) -> ApplyLock:
        if not self._lock.acquire(wait=False):
            raise LockHeldError(
                f"another apply holds the lock for {self.tenant_key} ({self.path}): {describe(holder(self.path))}; "
                "it is released when that apply ends (wait for it, or stop that process)"
            )
        self._lock.write(
            json.dumps(
                {
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "run_id": self.run_id,
                    "tenant": self.tenant_key,
                }
            )
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release(remove=True)
