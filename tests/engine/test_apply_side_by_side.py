"""Apply writes different licences side by side when the provider allows it: each licence's
writes still in the plan's order, first writes before second ones, a failure still stopping
only its licence, and nothing started once the run stops."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.apply.apply import apply_plan
from reconciler.apply.interruption import Interrupted
from reconciler.apply.journal import Journal, read_journal
from reconciler.errors import ProviderError
from reconciler.plan.change import SET_QUANTITY, UPDATE_LINE, Change
from reconciler.plan.plan import Plan
from reconciler.provider import TargetProvider, WriteResult


class SlowTarget(TargetProvider):
    """Each write takes a little while; keeps when each started and ended, and how many
    were in flight at once."""

    name = kind = "slow"

    def __init__(
        self,
        width: int,
        *,
        fail_on: frozenset[tuple[str, str, str]] = frozenset(),
        delay: float = 0.02,
        interrupt_on: tuple[str, str, str] | None = None,
    ):
        self.width = width
        self.fail_on, self.delay, self.interrupt_on = fail_on, delay, interrupt_on
        self.started: list[tuple[str, str, str]] = []
        self.ended: list[tuple[str, str, str]] = []
        self.active = self.peak = 0
        self._lock = threading.Lock()

    @property
    def write_parallelism(self) -> int:
        return self.width

    @classmethod
    def from_config(cls, config, context):  # pragma: no cover - not built from specs here
        raise NotImplementedError

    def read(self, scope):  # pragma: no cover - apply does not read
        raise NotImplementedError

    def write(self, change: Change) -> WriteResult:
        key = (change.client_id, change.product_id, change.action)
        if key == self.interrupt_on:
            raise Interrupted(2)
        with self._lock:
            self.started.append(key)
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.delay)
        with self._lock:
            self.active -= 1
            self.ended.append(key)
        if key in self.fail_on:
            raise ProviderError("HTTP 500, request failed: boom", status=500)
        return WriteResult(record_id=len(self.ended))


def seat_change(client: str, product: str) -> Change:
    return Change(
        action=SET_QUANTITY,
        client_id=client,
        client_name=client.title(),
        agreement_id=1,
        product_id=product,
        product_key=product.lower(),
        line_kind="main",
        reason="test",
        effective_date="2024-06-15",
        line_id=7,
        before={"quantity": 1},
        after={"quantity": 5},
    )


def licence(client: str, product: str) -> list[Change]:
    """A seat change and the invoice text that follows it, as an Autotask plan has them."""
    first = seat_change(client, product)
    return [first, replace(first, action=UPDATE_LINE, after={"invoice_description": "x"})]


def plan_of(changes: list[Change]) -> Plan:
    return Plan(sync_type="daily", sync_date="2024-06-15", psa="slow", changes=changes)


def test_each_licence_keeps_its_order_and_first_writes_go_before_second_ones(tmp_path: Path) -> None:
    changes = [c for client in ("a", "b", "c", "d", "e", "f") for c in licence(client, "P1")]
    target = SlowTarget(3)
    result = apply_plan(plan_of(changes), target, Journal(tmp_path, "r"))
    assert result.ok and len(result.applied) == 12
    assert target.peak == 3
    for client in "abcdef":
        mine = [k for k in target.started if k[0] == client]
        assert [k[2] for k in mine] == [SET_QUANTITY, UPDATE_LINE]
        assert target.ended.index((client, "P1", SET_QUANTITY)) < target.started.index((client, "P1", UPDATE_LINE))
    firsts = [i for i, k in enumerate(target.started) if k[2] == SET_QUANTITY]
    assert max(firsts) < len(target.started) - 3  # every first write started before the last seconds


def test_a_refused_write_skips_only_the_rest_of_its_licence(tmp_path: Path) -> None:
    changes = [*licence("a", "P1"), *licence("a", "P2"), *licence("b", "P1")]
    target = SlowTarget(4, fail_on=frozenset({("a", "P2", SET_QUANTITY)}))
    result = apply_plan(plan_of(changes), target, Journal(tmp_path, "r"))
    assert ("a", "P2", UPDATE_LINE) not in target.started
    assert len(result.applied) == 4 and len(result.failed) == 1
    (skipped,) = result.skipped
    assert (skipped.change.product_id, skipped.change.action) == ("P2", UPDATE_LINE)
    assert "an earlier write of this licence failed" in skipped.why


def test_once_the_breaker_trips_nothing_more_is_started_and_what_was_in_flight_is_journaled(tmp_path: Path) -> None:
    changes = [seat_change(client, "P1") for client in "abcdefghijkl"]
    failing = frozenset((c, "P1", SET_QUANTITY) for c in "abcdefghijkl")
    target = SlowTarget(2, fail_on=failing)
    journal = Journal(tmp_path, "r")
    result = apply_plan(plan_of(changes), target, journal, breaker=3)
    assert result.stopped and "3 writes failed in a row" in result.stopped
    assert len(target.started) <= 4  # the third failure, and at most one more already in flight
    assert len(result.failed) == len(target.started)
    assert len(result.skipped) == 12 - len(target.started)
    entries = read_journal(tmp_path)
    assert sum(1 for e in entries if e.get("outcome") == "failed") == len(target.started)
    assert any(e.get("event") == "stopped" for e in entries)


def test_a_signal_lets_the_writes_in_flight_finish_then_stops(tmp_path: Path) -> None:
    changes = [seat_change(client, "P1") for client in "abcdef"]
    target = SlowTarget(3, interrupt_on=("b", "P1", SET_QUANTITY), delay=0.05)
    journal = Journal(tmp_path, "r")
    with pytest.raises(Interrupted):
        apply_plan(plan_of(changes), target, journal)
    assert set(target.started) == set(target.ended) == {("a", "P1", SET_QUANTITY), ("c", "P1", SET_QUANTITY)}
    assert journal.counts["applied"] == 2


def test_a_provider_without_parallel_writes_is_written_in_the_plans_order(tmp_path: Path) -> None:
    changes = [c for client in ("a", "b") for c in licence(client, "P1")]
    target = SlowTarget(1, delay=0)
    apply_plan(plan_of(changes), target, Journal(tmp_path, "r"))
    assert target.started == [(c.client_id, c.product_id, c.action) for c in changes] and target.peak == 1


def test_fail_fast_writes_one_at_a_time_so_its_first_failure_is_the_last_write(tmp_path: Path) -> None:
    changes = [seat_change(client, "P1") for client in "abcd"]
    target = SlowTarget(4, fail_on=frozenset({("a", "P1", SET_QUANTITY)}))
    result = apply_plan(plan_of(changes), target, Journal(tmp_path, "r"), fail_fast=True)
    assert target.started == [("a", "P1", SET_QUANTITY)] and target.peak == 1
    assert len(result.skipped) == 3
