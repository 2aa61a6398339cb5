"""A write whose answer is lost, times out or comes without its id is re-read and journaled as
what it turned out to be: applied with the record id found, or not applied. The journal stays
true to the PSA and a rerun writes nothing twice."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from providers.sandbox.faults import ENV_VAR
from reconciler import clock
from reconciler.apply.confirmation import APPLIED, NOT_APPLIED, UNKNOWN, ConfirmingTarget, confirm
from reconciler.apply.journal import read_journal
from reconciler.errors import ProviderError, UncertainWriteError
from reconciler.model import PsaLine, PsaState, UnitSpan
from reconciler.plan.change import CREATE_ADJUSTMENT, CREATE_CHARGE, CREATE_DELTA, SET_QUANTITY, Change
from reconciler.provider import WriteResult
from reconciler.specs import load_deployment
from tests.e2e.worlds import (
    autotask_world,
    connectwise_world,
    working_world,
    write_autotask_deployment,
    write_deployment,
)

DAY = ("--date", "2024-06-15")


def faults(monkeypatch, *items: dict) -> None:
    monkeypatch.setenv(ENV_VAR, json.dumps(list(items)))


def cw_quantities(root) -> list[int]:
    return [a["quantity"] for a in working_world(root)["connectwise"]["additions"]]


def test_a_quantity_update_whose_answer_was_lost_is_journaled_applied(run, monkeypatch) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    faults(monkeypatch, {"kind": "lose_response", "method": "PATCH"})
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert cw_quantities(run.root) == [15]
    [entry] = read_journal(run.root)
    assert (entry["outcome"], entry["record_id"]) == ("applied", 501)
    assert "found it applied" in entry["note"] and "quantity 15" in entry["note"]


def test_an_autotask_adjustment_whose_answer_was_lost_is_journaled_applied(run, monkeypatch) -> None:
    write_autotask_deployment(run.root, autotask_world(quantity=15), style="arrears", prorate=False)
    faults(monkeypatch, {"kind": "lose_response", "vendor": "autotask", "path_contains": "Adjustments"})
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    [adjustment] = working_world(run.root)["autotask"]["contractServiceAdjustments"]
    [entry] = read_journal(run.root)
    assert entry["outcome"] == "applied" and entry["record_id"] == 1  # the contract service found
    assert "the licence bills 15 seats" in entry["note"]
    monkeypatch.delenv(ENV_VAR)
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0 and "No changes." in out
    assert len(working_world(run.root)["autotask"]["contractServiceAdjustments"]) == 1
    assert adjustment["unitChange"] == 3


def test_an_autotask_answer_without_its_item_id_is_journaled_applied(run, monkeypatch) -> None:
    write_autotask_deployment(run.root, autotask_world(quantity=15), style="arrears", prorate=False)
    faults(
        monkeypatch,
        {
            "kind": "malformed",
            "malformed": "missing_field",
            "field": "itemId",
            "vendor": "autotask",
            "path_contains": "Adjustments",
        },
    )
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    [entry] = read_journal(run.root)
    assert entry["outcome"] == "applied" and "the answer has no item id" in entry["note"]
    assert len(working_world(run.root)["autotask"]["contractServiceAdjustments"]) == 1


def test_a_write_that_timed_out_but_was_made_is_journaled_applied(run, monkeypatch) -> None:
    """The vendor finished the write after ncesync stopped waiting: the re-read comes after the
    same timeout again, and finds it. (A real clock here: the sandbox is really slow.)"""
    write_deployment(run.root, connectwise_world(quantity=5, prorate=True), style="arrears")
    settings = run.root / "specs" / "settings.yaml"
    settings.write_text(
        settings.read_text().replace("endpoint: sandbox\nbilling", "endpoint: sandbox\n  timeout: 0.3\nbilling")
    )
    faults(monkeypatch, {"kind": "slow", "delay": 0.45, "method": "POST", "vendor": "connectwise"})
    real = clock.use(clock.SystemClock())
    try:
        code, out = run("apply", *DAY, "--auto-approve", "--force")
    finally:
        clock.use(real)
    assert code == 0, out
    assert cw_quantities(run.root) == [12, -7]
    [entry] = read_journal(run.root)
    assert entry["outcome"] == "applied" and "timed out waiting for the answer" in entry["note"]


def test_a_gateway_error_on_a_write_that_was_not_made_is_journaled_not_applied(run, monkeypatch) -> None:
    write_deployment(run.root, connectwise_world(quantity=15, prorate=False), style="advance")
    faults(monkeypatch, {"kind": "malformed", "malformed": "html", "status": 502, "method": "PATCH"})
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 1
    assert "Traceback" not in out and "not applied" in out
    assert cw_quantities(run.root) == [12]
    [entry] = read_journal(run.root)
    assert entry["outcome"] == "not_applied" and "quantity 12" in entry["error"]
    monkeypatch.delenv(ENV_VAR)
    assert run("apply", *DAY, "--auto-approve")[0] == 0
    assert cw_quantities(run.root) == [15]


# -- the comparison itself, without HTTP ---------------------------------------------------


def change(action: str, *, before=None, after=None, line_id=None, key=None) -> Change:
    return Change(
        action=action,
        client_id="t",
        client_name="T",
        agreement_id=1001,
        product_id="P",
        product_key="p",
        line_kind="main",
        reason="r",
        effective_date="2024-06-15",
        line_id=line_id,
        before=before or {},
        after=after or {},
        key=key,
    )


def line(line_id: int, units: int, *, kind="main", start=date(2024, 5, 1), key=None, price="20.00") -> PsaLine:
    return PsaLine(
        id=line_id,
        agreement_id=1001,
        product_id="P",
        kind=kind,
        spans=(UnitSpan(start, None, units),),
        unit_price=Decimal(price),
        unit_cost=Decimal("15"),
        key=key,
    )


@pytest.mark.parametrize(
    ("lines", "outcome", "record"),
    [
        ([line(501, 12), line(502, -7, kind="delta", start=date(2024, 6, 15))], APPLIED, 502),
        ([line(501, 12)], NOT_APPLIED, None),
        ([line(501, 12), line(502, -3, kind="delta", start=date(2024, 6, 15))], UNKNOWN, None),
    ],
)
def test_a_delta_is_confirmed_by_the_seats_the_licence_bills(lines, outcome, record) -> None:
    delta = change(CREATE_DELTA, before={"units_in_force": 12}, after={"quantity": -7, "units_in_force": 5})
    found = confirm(delta, PsaState(lines=tuple(lines)))
    assert (found.outcome, found.record_id) == (outcome, record)


def test_a_quantity_write_is_confirmed_by_its_line() -> None:
    write = change(
        SET_QUANTITY,
        line_id=501,
        before={"quantity": 12, "unit_price": "18.00"},
        after={"quantity": 15, "unit_price": "20.00"},
    )
    assert confirm(write, PsaState(lines=(line(501, 15),))).outcome == APPLIED
    assert confirm(write, PsaState(lines=(line(501, 12, price="18.00"),))).outcome == NOT_APPLIED
    assert confirm(write, PsaState(lines=(line(501, 15, price="18.00"),))).outcome == UNKNOWN


def test_a_first_adjustment_and_an_invoice_copy_are_confirmed() -> None:
    first = change(CREATE_ADJUSTMENT, after={"quantity": 4})
    assert confirm(first, PsaState(lines=(line(9, 4),))).outcome == APPLIED
    assert confirm(first, PsaState()).outcome == NOT_APPLIED
    copy = change(CREATE_CHARGE, key="INV-1:sub-1")
    assert confirm(copy, PsaState(lines=(line(77, 3, kind="charge", key="INV-1:sub-1"),))).record_id == 77
    assert confirm(copy, PsaState(lines=(line(77, 3, kind="charge", key="INV-2:sub-1"),))).outcome == NOT_APPLIED


class LostTarget:
    """Its write is made but the answer lost; its re-read may fail."""

    def __init__(self, state: PsaState | Exception):
        self.state = state
        self.reads = 0

    def write(self, change):
        raise UncertainWriteError("ConnectWise POST /x: the connection dropped before the answer", settle_after=2.5)

    def read(self, scope):
        self.reads += 1
        assert scope.agreement_ids == frozenset({1001}) and scope.product_ids == frozenset({"P"})
        if isinstance(self.state, Exception):
            raise self.state
        return self.state


def test_the_re_read_waits_for_a_timed_out_write_and_a_failed_re_read_stays_unknown(tmp_path) -> None:
    from tests.engine.conftest import GOOD

    deployment = load_deployment(GOOD)
    waits: list[float] = []
    delta = change(CREATE_DELTA, before={"units_in_force": 12}, after={"quantity": -7, "units_in_force": 5})
    applied = ConfirmingTarget(
        LostTarget(PsaState(lines=(line(501, 12), line(502, -7, kind="delta", start=date(2024, 6, 15))))),
        deployment,
        date(2024, 6, 15),
        sleep=waits.append,
    ).write(delta)
    assert isinstance(applied, WriteResult) and applied.record_id == 502 and waits == [2.5]
    failing = ConfirmingTarget(LostTarget(ProviderError("HTTP 500")), deployment, date(2024, 6, 15), sleep=waits.append)
    with pytest.raises(UncertainWriteError, match="re-reading the PSA to find out failed too"):
        failing.write(delta)
