"""An exclusive lock the operating system holds for this process: `flock(2)` on a file.

The kernel drops it when the process ends, however it ends (kill -9, SIGTERM, a crash, the
machine's power), so no lock outlives its holder and none ever needs breaking by hand. A
second open of the same file, in this process or another, is refused while it is held.

The file may be removed on release (the apply lock: `.ncesync/locks/` then lists only live
locks). A process that opened it just before the removal would lock a file nobody sees, so
after locking, the path is checked to still name the file locked; if not, it tries again.
Local disks only: `flock` over NFS is not reliable on every system.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class OsLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, wait: bool) -> bool:
        """Take the lock: True when taken; False when another holds it and `wait` is off."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                return False
            if self._names(fd):
                self._fd = fd
                return True
            os.close(fd)  # removed by its last holder after we opened it: open the new one

    def release(self, *, remove: bool = False) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if remove:
                self.path.unlink(missing_ok=True)  # still locked: nobody can take it half-removed
        finally:
            os.close(fd)  # closing the last descriptor releases the lock

    def write(self, text: str) -> None:
        """Replace the file's content (who holds it), while holding it."""
        assert self._fd is not None, "write() needs the lock"
        data = text.encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)

    def read(self) -> str:
        """The file's content (readable whether or not anyone holds the lock)."""
        try:
            return self.path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def _names(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False
