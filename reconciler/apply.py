"""Execute a plan through the target provider, journaling each write.

Writes go in the plan's (deterministic) order. A failure stops the remaining writes of the
client it belongs to; other clients go on unless `fail_fast`. A rerun converges because it
plans from a fresh read: only what is still missing is written again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from providers.base import TargetProvider, WriteResult
from reconciler.change import Change
from reconciler.confirmation import outcome_of
from reconciler.errors import ProviderError
from reconciler.journal import Journal
from reconciler.logs import mask
from reconciler.plan import Plan

log = logging.getLogger(__name__)


@dataclass
class ApplyResult:
    applied: list[tuple[Change, WriteResult]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # client id -> the PSA's message
    skipped: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def apply_plan(plan: Plan, target: TargetProvider, journal: Journal, *, fail_fast: bool = False) -> ApplyResult:
    result = ApplyResult()
    stopped = False
    for change in plan.changes:
        if stopped or change.client_id in result.failed:
            result.skipped.append(change)
            journal.record(change, outcome="skipped")
            continue
        try:
            written = target.write(change)
        except ProviderError as error:
            log.warning("apply: client=%s action=%s failed=%s", change.client_id, change.action, error)
            result.failed[change.client_id] = mask(str(error))
            journal.record(change, outcome=outcome_of(error), error=str(error))
            stopped = fail_fast
            continue
        result.applied.append((change, written))
        journal.record(change, outcome="applied", record_id=written.record_id, note=written.note or None)
    return result
