"""Logging for the CLI: stderr, text or JSON lines, and secrets masked in every record.

Every secret resolved from an `env:` reference (and every Dicker Data access key) is
registered here, and from then on masked in the forms it travels in (raw, percent-encoded,
form-encoded, JSON-escaped, base64: see `secrets.Redactor`) wherever a log record comes from:

* every record, of any logger (urllib3's request lines, a library's own handler), is masked
  when it is made: the record factory is ours;
* the CLI's handler masks the finished line as well, tracebacks included;
* Python warnings are routed through logging, so they are masked too.

So a secret cannot reach a log, even by a debug line someone adds later.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from typing import Any

from reconciler.secrets import Redactor


class SecretMask(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._redactor = Redactor([])
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            with self._lock:
                self._secrets.add(secret)
                self._redactor = Redactor(sorted(self._secrets))

    def forget_all_but(self, kept: set[str]) -> None:
        """Mask only `kept` from now on (a test session resetting between tests)."""
        with self._lock:
            if self._secrets != kept:
                self._secrets = set(kept)
                self._redactor = Redactor(sorted(kept))

    def mask(self, text: str) -> str:
        return self._redactor(text) if self._secrets else text

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


SECRET_MASK = SecretMask()


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message (and any formatted traceback) masked."""
    if SECRET_MASK._secrets:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is the library's, not a reason to leak
            message = f"{record.msg} {record.args}"
        masked = SECRET_MASK.mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_text:
            record.exc_text = SECRET_MASK.mask(record.exc_text)
    return record


_make_record = logging.getLogRecordFactory()


def _masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return mask_record(_make_record(*args, **kwargs))


logging.setLogRecordFactory(_masked_record)

# Libraries that log request lines (query strings can carry a Dicker Data token or key):
# the filter sits on them too, for records made before this module was imported.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


def protect(secret: str) -> None:
    """Mask `secret` in every log record from now on, in this process."""
    SECRET_MASK.add(secret)
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if SECRET_MASK not in logger.filters:
            logger.addFilter(SECRET_MASK)


def mask(text: str) -> str:
    """`text` with every protected secret replaced by '***' (messages, journal entries)."""
    return SECRET_MASK.mask(text)


class Masked(logging.Formatter):
    """Masks the finished line: whatever a record carried (a traceback, extra fields)."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return SECRET_MASK.mask(self.inner.format(record))


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **({"run_id": record.run_id} if hasattr(record, "run_id") else {}),
        })


def configure(*, level: str = "warning", fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(SECRET_MASK)
    inner = JsonLines() if fmt == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    handler.setFormatter(Masked(inner))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
