"""`plan --format markdown`: a pull-request comment a billing manager can read, always under
the comment size limit."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from reconciler.money import signed_money
from reconciler.plan.change import Change
from reconciler.plan.plan import ClientDigest, ClientSummary, Issue, PlanDraft, Refusal, Unmapped
from reconciler.report.render import render
from reconciler.report.render.markdown import LIMIT, MARKER
from tests.gitops.conftest import DATE, ncesync, plan_json
from tests.kit.capabilities import capabilities


def _plan(clients: int, changes_per_client: int, *, name: str = "Client {i}") -> PlanDraft:
    plan = PlanDraft(
        sync_type="daily", sync_date="2024-06-15", psa="connectwise", words=capabilities("connectwise").words
    )
    for i in range(clients):
        cid = f"tenant-{i:05d}"
        plan.clients[cid] = ClientSummary(name.format(i=i), 10, 12, 1, ClientDigest("", "", ""))
        for j in range(changes_per_client):
            plan.changes.append(
                Change(
                    action="set_quantity",
                    client_id=cid,
                    client_name=name.format(i=i),
                    agreement_id=1000 + i,
                    product_id=f"P{j}",
                    product_key=f"product-{j}",
                    line_kind="main",
                    reason="Dicker Data has 12 seats; the PSA bills 10 " + "x" * 200,
                    effective_date="2024-06-15",
                    line_id=j,
                    before={"quantity": 10},
                    after={"quantity": 12},
                    runrate_change="20.00",
                )
            )
    return plan


def _json(draft: PlanDraft, **fields: object) -> dict:
    """The finished plan's data (refusals and the like set by `fields`)."""
    return replace(draft.finish(fingerprint="", scope={}), **fields).to_json()


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def test_totals_come_first_then_one_folded_section_per_client(deployment: Path) -> None:
    data = plan_json(deployment)
    totals = data["totals"]
    result = ncesync("plan", "-C", str(deployment), *DATE, "--format", "markdown")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert text.startswith(MARKER)
    first_fold = text.index("<details")
    psa = sum(c["seats_psa"] for c in data["clients"].values())
    dd = sum(c["seats_dicker_data"] for c in data["clients"].values())
    assert psa != dd
    for total in (
        f"| seat changes | **{totals['seats_changed']}** |",
        f"| lines created | **{totals['lines_created']}** |",
        f"| monthly run-rate | **{signed_money(totals['runrate_change'])}/month** |",
        f"| one-off (prorated) | **{signed_money(totals['one_off'])}** |",
        f"| seats (PSA → Dicker Data) | {psa} → {dd} ({dd - psa:+}) |",
    ):
        assert 0 <= text.index(total) < first_fold
    names = {c["client_name"] for c in data["changes"]}
    assert text.count("<details") == len(names) > 1
    for name in names:
        assert f"<summary><b>{name}</b>" in text
    assert text.count("| ~ |") + text.count("| + |") == len(data["changes"])  # ConnectWise: a row per write


def test_unmapped_items_are_warnings_with_the_plans_counts(deployment: Path) -> None:
    totals = plan_json(deployment)["totals"]
    text = ncesync("plan", "-C", str(deployment), *DATE, "--format", "markdown").stdout
    warnings = text[text.index("#### :warning: Warnings") : text.index("<details")]
    assert totals["unmapped_customers"] == 1 and totals["unmapped_stock_codes"] == 3
    assert "1 Dicker Data customer (20 seats) has no client mapping" in warnings
    assert "3 subscriptions of mapped clients (14 seats) have a stock code without a product mapping" in warnings


def test_a_huge_plan_is_summarised_under_the_limit_with_a_note() -> None:
    text = render(_json(_plan(1500, 5)), "markdown")
    assert len(text) <= LIMIT
    assert "| seat changes | **7,500** |" in text.split("<details")[0]
    assert "more clients with changes are not shown: the comment size limit was reached" in text
    assert "(summary only: the comment size limit was reached)" in text


def test_a_mid_sized_plan_folds_the_first_clients_and_summarises_the_rest() -> None:
    text = render(_json(_plan(120, 12)), "markdown")
    assert len(text) <= LIMIT
    detailed = text.count("<details")
    summarised = re.search(r"#### (\d+) more clients \(summary only", text)
    assert detailed > 0 and summarised
    assert detailed + int(summarised.group(1)) == 120
    assert "not shown" not in text


def test_a_small_plan_is_not_cut() -> None:
    text = render(_json(_plan(3, 2)), "markdown")
    assert text.count("<details") == 3
    assert "limit" not in text


def test_errors_and_refusals_stay_visible_when_the_plan_is_cut() -> None:
    plan = _plan(1500, 5)
    plan.errors.append(Issue("two active main lines 11 and 12 for M365-BP", "tenant-01499", "Client 1499", "m365"))
    refusal = Refusal("max-runrate-change", "run-rate moves by $300,000.00; the limit is $5,000.00")
    text = render(_json(plan, refusals=(refusal,)), "markdown")
    assert len(text) <= LIMIT
    head = text.split("<details")[0]
    assert "**Refused by the safety guards.**" in head
    assert "`max-runrate-change`: run-rate moves by $300,000.00" in head
    assert "- **Client 1499** (m365): two active main lines 11 and 12 for M365-BP" in head


def test_a_client_with_an_error_is_unfolded() -> None:
    plan = _plan(2, 1)
    plan.errors.append(Issue("agreement 1001 is Cancelled", "tenant-00001", "Client 1"))
    text = render(_json(plan), "markdown")
    assert "<details><summary><b>Client 0</b>" in text
    assert "<details open><summary><b>Client 1</b>" in text
    assert "- :x: agreement 1001 is Cancelled" in text
    # the seat totals leave the licence in error out, and say so where they are shown
    assert "<b>Client 1</b>: 1 change · seats 10 → 12 (+2) (licences in error left out)" in text
    assert "<b>Client 0</b>: 1 change · seats 10 → 12 (+2) · run-rate" in text
    assert "| seats (PSA → Dicker Data) | 20 → 24 (+4) (licences in error left out) |" in text


def test_names_cannot_break_the_tables_or_inject_html() -> None:
    plan = _plan(400, 12, name="Pipe | and <b>bold</b> {i}")
    text = render(_json(plan), "markdown")
    rows = _table_rows(text)
    assert rows
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) in (3, 8), row  # totals table or a 7-column table
    assert "<b>bold</b>" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


def test_no_changes_says_so() -> None:
    plan = PlanDraft(
        sync_type="daily", sync_date="2024-06-15", psa="connectwise", words=capabilities("connectwise").words
    )
    plan.unmapped.append(Unmapped("customer", "t9", "Lone Ltd", 4))
    text = render(_json(plan), "markdown")
    assert "**No changes.** The PSA matches Dicker Data." in text
    assert "1 Dicker Data customer (4 seats) has no client mapping" in text
