"""Apply request budgets: exactly one write per change, none at all when nothing changed."""

from __future__ import annotations


def test_connectwise_apply_writes_once_per_change_then_nothing(cw):
    changes = cw.plan()["changes"]
    assert len(changes) >= 20  # a quarter of 120 clients drift
    cw.apply()
    writes = cw.writes("connectwise")
    creates = sum(1 for c in changes if c["action"].startswith("create"))
    assert writes.get("POST /finance/agreements/{id}/additions", 0) == creates
    assert writes.get("PATCH /finance/agreements/{id}/additions/{additionId}", 0) == len(changes) - creates
    assert sum(writes.values()) == len(changes)

    assert cw.plan()["changes"] == []
    reads = cw.counts("connectwise")  # the plan's own
    cw.apply()
    assert cw.writes("connectwise") == {}
    # billing.md TV-5: no change, and no read beyond what planning needs
    assert cw.counts("connectwise") == reads


def test_autotask_apply_writes_one_adjustment_per_seat_change_then_nothing(at):
    changes = at.plan()["changes"]
    adjustments = [c for c in changes if c["action"] == "create_adjustment"]
    updates = [c for c in changes if c["action"] == "update_line"]
    assert adjustments and len(adjustments) + len(updates) == len(changes)
    at.apply()
    writes = at.writes("autotask")
    assert writes.get("POST /ContractServiceAdjustments", 0) == len(adjustments)
    # The invoice text is not part of an adjustment: it is an update_line of its own, so
    # every change is exactly one write.
    assert any(c["after"].get("invoice_description") for c in updates)
    assert writes.get("PATCH /Contracts/{id}/Services", 0) == len(updates)
    assert sum(writes.values()) == len(changes)
    # the contract services adjustments created are looked up together for their invoice
    # text (licences are written side by side, first writes first), not one query each
    created = [c for c in adjustments if c["line_id"] is None]
    lookups = at.counts("autotask")["POST /ContractServices/query"] - 1  # the re-plan's own query
    assert len(created) >= 10 and 1 <= lookups <= 3

    assert at.plan()["changes"] == []
    reads = at.counts("autotask")  # the plan's own
    at.apply()
    assert at.writes("autotask") == {}
    assert at.counts("autotask") == reads  # billing.md TV-5: no read beyond what planning needs
