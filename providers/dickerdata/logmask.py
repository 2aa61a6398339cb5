"""Masks Dicker Data secrets in the log lines of the HTTP library.

With the `body` key transport, GET calls carry the token and the access key in the query
string, and urllib3 logs every request line (query included) at DEBUG level. Our own
modules never log a secret; this filter covers the library's lines.
"""

from __future__ import annotations

import logging

from reconciler.secrets import Redactor

# The loggers that write request URLs.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


class SecretMask(logging.Filter):
    """Rewrites a record whose text holds a registered secret; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        masked = Redactor(list(self._secrets))(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


MASK = SecretMask()


def protect(secret: str) -> None:
    """Mask `secret` in the HTTP library's log lines from now on, in this process."""
    MASK.add(secret)
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if MASK not in logger.filters:
            logger.addFilter(MASK)
