"""Dicker Data access keys: granted for the account's access token, valid for a limited time."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

DEFAULT_LIFETIME = 30 * 60.0  # seconds


class AccessKeys:
    """Issued keys and their expiry. `lifetime` may be changed at any time (tests shorten it)."""

    def __init__(self, *, lifetime: float = DEFAULT_LIFETIME, now: Callable[[], float] = time.monotonic):
        self.lifetime = lifetime
        self._now = now
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def grant(self) -> tuple[str, datetime]:
        """A new key and its wall-clock expiry (UTC), for the ExpireDateTime member."""
        key = uuid.uuid4().hex
        with self._lock:
            self._expiry[key] = self._now() + self.lifetime
        return key, datetime.now(timezone.utc) + timedelta(seconds=self.lifetime)

    def valid(self, key: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(key)
            return expiry is not None and self._now() < expiry

    def expire_all(self) -> None:
        with self._lock:
            self._expiry.clear()
