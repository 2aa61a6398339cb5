"""Ctrl-C and SIGTERM during an apply: stop cleanly, saying how far the run got.

Before the first write nothing needs finishing, so a signal stops the run at once. Once
writes have begun, the first signal lets the write in flight finish and be journaled (its
answer is what the journal needs), then stops before the next one; a second signal stops at
once (that write's "started" entry lets the next apply find out what became of it). Either
way the lock goes with the process and a rerun plans only what is still missing.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from reconciler.plan.change import Change
from reconciler.provider import WriteResult

log = logging.getLogger(__name__)

# Keyed by number: a handler is given the plain int (Signals is an IntEnum, so both look up alike).
SIGNALS: dict[int, str] = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}
EXIT_CODES: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal, as shells report it


class Interrupted(BaseException):
    """The run was stopped by a signal. A BaseException, like KeyboardInterrupt, so that no
    `except Exception` on the way (a provider's error handling) swallows it."""

    def __init__(self, signum: int):
        super().__init__(SIGNALS.get(signum, f"signal {signum}"))
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.signum, 1)


class StopRequest:
    def __init__(self) -> None:
        self.signum: int | None = None
        self._deferring = False  # True once writes have begun

    @contextmanager
    def installed(self) -> Iterator[StopRequest]:
        """Handle SIGINT and SIGTERM while the block runs (main thread only: elsewhere the
        default handling stays, which still releases the lock with the process)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def between_writes(self, target: Any) -> Any:
        """`target`, whose `write` first stops the run if a signal came in meanwhile."""
        self._deferring = True
        return _Checked(target, self)

    def check(self) -> None:
        if self.signum is not None:
            raise Interrupted(self.signum)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self._deferring or self.signum is not None:
            raise Interrupted(signum)
        self.signum = signum
        log.warning(
            "apply: %s received; stopping after the write in progress (send it again to stop at once)",
            SIGNALS.get(signum, signum),
        )


class _Checked:
    def __init__(self, target: Any, stop: StopRequest):
        self._target = target
        self._stop = stop

    def write(self, change: Change) -> WriteResult:
        self._stop.check()
        result: WriteResult = self._target.write(change)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)
