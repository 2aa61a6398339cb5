"""Logging for the CLI: stderr, text or JSON lines, and secrets masked in every record.

Every secret resolved from an `env:` reference is registered here, and the handler's filter
rewrites any record that contains one, including the lines of libraries (urllib3 logs
request URLs, which can carry query-string tokens). So a secret cannot reach a log, even
by a debug line someone adds later.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from reconciler.secrets import Redactor


class SecretMask(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def mask(self, text: str) -> str:
        return Redactor(list(self._secrets))(text) if self._secrets else text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            masked = self.mask(message)
            if masked != message:
                record.msg, record.args = masked, ()
        return True


SECRET_MASK = SecretMask()


# Libraries that log request lines (query strings can carry a Dicker Data token or key).
# The mask sits on them too, so it works even when the CLI did not configure logging.
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
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
