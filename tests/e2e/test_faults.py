"""Faults injected through the sandbox: every case ends in a clear error and no lost or
duplicated line; a rerun converges."""

from __future__ import annotations

import json
from datetime import date

import pytest

from providers.sandbox.faults import ENV_VAR
from reconciler.apply.journal import read_journal
from reconciler.apply.lock import ApplyLock
from reconciler.run.runtime import Runtime
from reconciler.specs import load_deployment
from tests.e2e.worlds import connectwise_world, three_clients_world, working_world, write_deployment

DAY = ("--date", "2024-06-15")


def faults(monkeypatch: pytest.MonkeyPatch, *items: dict) -> None:
    monkeypatch.setenv(ENV_VAR, json.dumps(list(items)))


def quantities(root) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for a in working_world(root)["connectwise"]["additions"]:
        result.setdefault(a["agreementId"], []).append(a["quantity"])
    return result


@pytest.fixture
def three(run):
    world, clients = three_clients_world()
    write_deployment(run.root, world, style="advance", clients=clients)
    return run


def test_429_storm_on_reads_is_waited_out(three, monkeypatch) -> None:
    faults(
        monkeypatch,
        {"kind": "status", "status": 429, "retry_after": 0, "times": 3, "method": "GET", "vendor": "connectwise"},
    )
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert quantities(three.root) == {1001: [15], 1002: [8], 1003: [4]}


def test_500_on_the_second_write_stops_that_client_only_and_a_rerun_converges(three, monkeypatch) -> None:
    # Fabrikam's is the plan's second write; apply writes the clients side by side, so the
    # fault names its agreement rather than the order in which the writes arrive
    faults(monkeypatch, {"kind": "status", "status": 500, "method": "PATCH", "path_contains": "/agreements/1002/"})
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 1
    assert "Not written (1 of the plan's changes; every other licence was synced)" in out
    assert "Fabrikam Ltd" in out and "HTTP 500" in out and "next run: plans this licence again" in out
    assert quantities(three.root) == {1001: [15], 1002: [6], 1003: [4]}
    monkeypatch.delenv(ENV_VAR)
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert quantities(three.root) == {1001: [15], 1002: [8], 1003: [4]}


def test_a_create_whose_response_was_lost_is_not_created_twice(run, monkeypatch) -> None:
    world = connectwise_world(quantity=5, prorate=True)
    write_deployment(run.root, world, style="arrears")  # 12 -> 5: one delta addition of -7
    faults(monkeypatch, {"kind": "lose_response", "write_index": 1})
    code, out = run("apply", *DAY, "--auto-approve", "--force")
    assert code == 0, out  # re-read: the PSA holds it, so it is journaled as applied
    assert quantities(run.root) == {1001: [12, -7]}  # the write happened, its answer was lost
    [entry] = read_journal(run.root)
    delta = working_world(run.root)["connectwise"]["additions"][1]
    assert (entry["outcome"], entry["record_id"]) == ("applied", delta["id"])
    assert "the connection dropped before the answer" in entry["note"] and "found it applied" in entry["note"]
    monkeypatch.delenv(ENV_VAR)
    code, out = run("apply", *DAY, "--auto-approve", "--force")
    assert code == 0 and "No changes." in out
    assert quantities(run.root) == {1001: [12, -7]}


def test_a_slow_read_times_out_and_is_retried(three, monkeypatch) -> None:
    settings = three.root / "specs" / "settings.yaml"
    settings.write_text(
        settings.read_text().replace("endpoint: sandbox\nbilling", "endpoint: sandbox\n  timeout: 0.5\nbilling")
    )
    faults(monkeypatch, {"kind": "slow", "delay": 1.5, "times": 1, "method": "GET", "vendor": "connectwise"})
    code, out = three("plan", *DAY)
    assert code == 0, out
    assert "Plan: 3 seat changes, 0 lines created" in out


def test_source_outage_fails_the_plan_and_writes_nothing(three, monkeypatch) -> None:
    faults(
        monkeypatch,
        {"kind": "status", "status": 500, "times": 0, "vendor": "dickerdata", "path_contains": "Subscriptions"},
    )
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 1
    assert "Dicker Data" in out and "500" in out
    assert quantities(three.root) == {1001: [12], 1002: [6], 1003: [3]}


def test_html_error_page_from_the_psa_is_a_clear_error(three, monkeypatch) -> None:
    faults(monkeypatch, {"kind": "malformed", "malformed": "html", "status": 502, "times": 0, "vendor": "connectwise"})
    code, out = three("plan", *DAY)
    assert code == 1
    assert "HTML page instead of JSON" in out
    assert "Traceback" not in out


def test_missing_field_in_the_source_answer_is_refused_not_read_as_zero(three, monkeypatch) -> None:
    faults(
        monkeypatch,
        {
            "kind": "malformed",
            "malformed": "missing_field",
            "field": "ConfirmedQuantity",
            "times": 0,
            "vendor": "dickerdata",
        },
    )
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 1 and "ConfirmedQuantity" in out
    assert quantities(three.root) == {1001: [12], 1002: [6], 1003: [3]}


def test_fail_fast_stops_the_run_and_a_rerun_finishes_it(three, monkeypatch) -> None:
    faults(monkeypatch, {"kind": "status", "status": 503, "write_index": 1})
    code, out = three("apply", *DAY, "--auto-approve", "--fail-fast")
    assert code == 1 and "Not written (3 of the plan's changes" in out
    assert "The run stopped early: --fail-fast stops at the first failure." in out
    assert quantities(three.root) == {1001: [12], 1002: [6], 1003: [3]}
    monkeypatch.delenv(ENV_VAR)
    assert three("apply", *DAY, "--auto-approve")[0] == 0
    assert quantities(three.root) == {1001: [15], 1002: [8], 1003: [4]}


def test_a_second_apply_fails_fast_naming_the_holder(three) -> None:
    """The nightly job holds the lock while a manual --client sync starts."""
    with Runtime(load_deployment(three.root), sync_date=date(2024, 6, 15)) as runtime:
        key = runtime.target.tenant_key()
    with ApplyLock(three.root, key, "nightly-run"):
        code, out = three("apply", *DAY, "--auto-approve", "--client", "contoso")
    assert code == 1
    assert "another apply holds the lock" in out and "run nightly-run" in out
    assert quantities(three.root) == {1001: [12], 1002: [6], 1003: [3]}
    assert not list(three.root.glob(".ncesync/locks/*.lock"))  # released after the nightly run


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/additions", "quantity", "ConnectWise addition 501 of agreement 1001: field quantity is missing"),
        ("/additions", "product", "ConnectWise addition 501 of agreement 1001: field product is missing"),
        ("/procurement/catalog", "price", "ConnectWise catalog item 'M365-BP': field price is missing"),
        ("/finance/agreements", "prorateFlag", "ConnectWise agreement 1001: field prorateFlag is missing"),
    ],
    ids=["addition-quantity", "addition-product", "catalog-price", "agreement-prorate-flag"],
)
def test_a_psa_record_missing_a_field_that_decides_money_stops_the_run(
    three, monkeypatch, path, field, message
) -> None:
    """Never read as zero seats, "no line" (a duplicate create) or a zero price."""
    faults(
        monkeypatch,
        {
            "kind": "malformed",
            "malformed": "missing_field",
            "field": field,
            "times": 0,
            "vendor": "connectwise",
            "method": "GET",
            "path_contains": path,
        },
    )
    code, out = three("apply", *DAY, "--auto-approve")
    assert code == 1
    assert message in out and "refusing to guess it" in out
    assert quantities(three.root) == {1001: [12], 1002: [6], 1003: [3]}
