"""Records a PSA read could not understand, kept apart so only their licences stop.

A provider parses each record inside `UnreadableRecords.parse`, saying which agreement and
product depend on it. A ProviderError from the mapping (a missing, null or wrongly typed
field, an unknown enum value) becomes an `Unreadable` in the PsaState instead of ending the
whole read; the planner then reports it on exactly the licences that depend on the record.
A record that cannot be tied to any agreement or product still ends the read: ignoring it
could plan a duplicate line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from reconciler.errors import ProviderError
from reconciler.model import PsaId, Unreadable

log = logging.getLogger(__name__)

T = TypeVar("T")


class UnreadableRecords:
    def __init__(self) -> None:
        self.found: list[Unreadable] = []

    def parse(
        self, parse: Callable[..., T], *args: Any, agreement_id: PsaId | None = None, product_id: str | None = None
    ) -> T | None:
        """`parse(*args)`, or None when it raised ProviderError and the record was set aside."""
        try:
            return parse(*args)
        except ProviderError as exc:
            if agreement_id is None and product_id is None:
                raise
            # info, not warning: the plan reports it as an error on each licence it stops
            log.info("read: unreadable record agreement=%s product=%s problem=%s", agreement_id, product_id, exc)
            self.found.append(Unreadable(str(exc), agreement_id=agreement_id, product_id=product_id))
            return None

    def result(self) -> tuple[Unreadable, ...]:
        """Each unreadable record once, in the order found."""
        return tuple(dict.fromkeys(self.found))
