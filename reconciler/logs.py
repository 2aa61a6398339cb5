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
from datetime import datetime, timezone
from typing import Any

from reconciler.secrets import KNOWN, mask


class SecretMask(logging.Filter):
    """Masks every known secret (reconciler.secrets.KNOWN) in the records it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


SECRET_MASK = SecretMask()


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message (and any formatted traceback) masked."""
    if KNOWN:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg} {record.args}"
        masked = KNOWN.mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_text:
            record.exc_text = KNOWN.mask(record.exc_text)
    return record


_make_record = logging.getLogRecordFactory()


def _masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return mask_record(_make_record(*args, **kwargs))


logging.setLogRecordFactory(_masked_record)

# Libraries that log request lines (query strings can carry a Dicker Data token or key):
# the filter sits on them too, for records made before this module was imported.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")
for _name in URL_LOGGERS:
    logging.getLogger(_name).addFilter(SECRET_MASK)


class Masked(logging.Formatter):
    """Masks the finished line: whatever a record carried (a traceback, extra fields)."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return mask(self.inner.format(record))


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="seconds"),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
                **({"run_id": record.run_id} if hasattr(record, "run_id") else {}),
            }
        )


_FORMAT = "text"


def configured_format() -> str:
    """The log format `configure` set: "text" or "json" (the summary line follows it)."""
    return _FORMAT


def configure(*, level: str = "warning", fmt: str = "text") -> None:
    global _FORMAT
    _FORMAT = fmt
    handler = logging.StreamHandler()
    handler.addFilter(SECRET_MASK)
    inner = JsonLines() if fmt == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    handler.setFormatter(Masked(inner))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
