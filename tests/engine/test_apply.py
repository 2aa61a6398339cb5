"""Apply: deterministic order, journal per write, a failure stops only its client."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from reconciler.apply.apply import apply_plan
from reconciler.apply.journal import Journal, read_journal
from reconciler.apply.lock import ApplyLock
from reconciler.errors import LockHeldError, ProviderError
from reconciler.plan.change import SET_QUANTITY, Change
from reconciler.plan.plan import Plan
from reconciler.provider import TargetProvider, WriteResult


class RecordingTarget(TargetProvider):
    name = kind = "recording"

    def __init__(self, fail_on: set[tuple[str, str]] = frozenset()):
        self.writes: list[Change] = []
        self.fail_on = fail_on

    @classmethod
    def from_config(cls, config, context):  # pragma: no cover - not built from specs here
        return cls()

    def read(self, scope):  # pragma: no cover - apply does not read
        raise NotImplementedError

    def write(self, change: Change) -> WriteResult:
        if (change.client_id, change.product_id) in self.fail_on:
            raise ProviderError(
                "ConnectWise POST /finance/agreements/1/additions: HTTP 500, request failed: boom", status=500
            )
        self.writes.append(change)
        return WriteResult(record_id=1000 + len(self.writes))


def change(client: str, product: str, qty: int = 5) -> Change:
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
        after={"quantity": qty},
    )


def plan_of(*changes: Change) -> Plan:
    return Plan(sync_type="daily", sync_date="2024-06-15", psa="recording", changes=list(changes))


def test_a_failure_stops_only_its_licence_and_every_other_licence_goes_on(tmp_path: Path) -> None:
    """billing.md 7: alpha's P2 is refused; alpha's P1 and P3 and beta are still written,
    and P2's own second write (its description) is not attempted."""
    target = RecordingTarget(fail_on={("alpha", "P2")})
    p2_text = replace(change("alpha", "P2"), action="update_line", after={"invoice_description": "x"})
    plan = plan_of(change("alpha", "P1"), change("alpha", "P2"), p2_text, change("alpha", "P3"), change("beta", "P1"))
    result = apply_plan(plan, target, Journal(tmp_path, "run1"))
    assert [(c.client_id, c.product_id) for c in target.writes] == [("alpha", "P1"), ("alpha", "P3"), ("beta", "P1")]
    (failed,) = result.failed
    assert (failed.change.product_id, "HTTP 500" in failed.why) == ("P2", True)
    assert failed.next_run.startswith("plans this licence again from a fresh read")
    (skipped,) = result.skipped
    assert (skipped.change.action, skipped.next_run) == ("update_line", "plans it again with its licence")
    assert result.stopped is None and not result.ok
    outcomes = [(e["client_id"], e["product_id"], e["outcome"]) for e in read_journal(tmp_path)]
    assert outcomes == [
        ("alpha", "P1", "applied"),
        ("alpha", "P2", "failed"),
        ("alpha", "P2", "skipped"),
        ("alpha", "P3", "applied"),
        ("beta", "P1", "applied"),
    ]


def test_fail_fast_stops_every_client(tmp_path: Path) -> None:
    target = RecordingTarget(fail_on={("alpha", "P1")})
    result = apply_plan(
        plan_of(change("alpha", "P1"), change("beta", "P1")), target, Journal(tmp_path, "r"), fail_fast=True
    )
    assert target.writes == [] and len(result.skipped) == 1


def test_repeated_failures_trip_the_circuit_breaker_and_the_journal_says_where(tmp_path: Path) -> None:
    products = [f"P{i}" for i in range(8)]
    target = RecordingTarget(fail_on={("alpha", p) for p in products})
    plan = plan_of(*(change("alpha", p) for p in products), change("beta", "P1"))
    result = apply_plan(plan, target, Journal(tmp_path, "r"), breaker=3)
    assert len(result.failed) == 3 and len(result.skipped) == 6 and target.writes == []
    assert "3 writes failed in a row" in (result.stopped or "")
    stop = [e for e in read_journal(tmp_path) if e.get("event") == "stopped"]
    assert [(e["after_change"], e["not_attempted"]) for e in stop] == [(3, 6)]


def test_a_success_between_failures_resets_the_breaker(tmp_path: Path) -> None:
    target = RecordingTarget(fail_on={("alpha", "P1"), ("alpha", "P2"), ("gamma", "P1"), ("gamma", "P2")})
    plan = plan_of(
        change("alpha", "P1"), change("alpha", "P2"), change("beta", "P1"), change("gamma", "P1"), change("gamma", "P2")
    )
    result = apply_plan(plan, target, Journal(tmp_path, "r"), breaker=3)
    assert result.stopped is None and len(result.failed) == 4 and len(target.writes) == 1


def test_refused_credentials_stop_the_run(tmp_path: Path) -> None:
    class Refusing(RecordingTarget):
        def write(self, c: Change) -> WriteResult:
            raise ProviderError("ConnectWise: HTTP 401, the API keys were rejected", status=401)

    result = apply_plan(plan_of(change("alpha", "P1"), change("beta", "P1")), Refusing(), Journal(tmp_path, "r"))
    assert "refused the credentials" in (result.stopped or "") and len(result.skipped) == 1


def test_journal_lines_carry_what_why_before_after_and_record_id(tmp_path: Path) -> None:
    apply_plan(plan_of(change("alpha", "P1", qty=9)), RecordingTarget(), Journal(tmp_path, "run42"))
    [entry] = read_journal(tmp_path)
    assert entry["run_id"] == "run42" and entry["record_id"] == 1001
    assert (entry["before"], entry["after"], entry["reason"]) == ({"quantity": 1}, {"quantity": 9}, "test")
    raw = (tmp_path / ".ncesync" / "journal.jsonl").read_text()
    assert json.loads(raw.splitlines()[0])["action"] == "set_quantity"


def test_second_apply_on_the_same_tenant_fails_fast_naming_the_holder(tmp_path: Path) -> None:
    with ApplyLock(tmp_path, "connectwise-acme", "first"):
        try:
            with ApplyLock(tmp_path, "connectwise-acme", "second"):
                raise AssertionError("the second lock must not be granted")
        except LockHeldError as error:
            assert "run first" in str(error) and "pid" in str(error)
    with ApplyLock(tmp_path, "connectwise-acme", "third"):
        pass  # released after the first one finished
