"""Plan request budgets: Autotask pays per page of 500 rows, ConnectWise one additions
request per agreement plus pages of 1,000; a --client run reads that client only."""

from __future__ import annotations

from datetime import date, timedelta
from math import ceil

import yaml

from providers.sandbox.vendor_dates import parse_date
from tests.budget.conftest import TODAY

AT_PAGE = 500
CW_PAGE = 1000
# zone discovery, one threshold reading, and one page boundary per query entity at most
AT_CONSTANT = 2 + 6


def _pages(rows: int, page: int) -> int:
    return max(1, ceil(rows / page))


def _in_window(row: dict, reach: timedelta) -> bool:
    return parse_date(row["endDate"]) >= TODAY - reach and parse_date(row["startDate"]) <= TODAY + reach


# Generated contracts bill monthly from the first of a month, in advance: a plan compares on
# the first day of the next period, so it reads the rows of June and July and nothing else.
ADVANCE_WINDOW = (date(2024, 6, 1), date(2024, 7, 31))


def _compared_on(row: dict) -> bool:
    first, last = ADVANCE_WINDOW
    return parse_date(row["endDate"]) >= first and parse_date(row["startDate"]) <= last


def test_autotask_plan_requests_follow_pages_of_rows_not_clients(at):
    world = at.world()["autotask"]
    at.plan()
    counts = at.counts("autotask")
    queries = {
        entity: counts.get(f"POST /{entity}/query", 0) + counts.get(f"POST /{entity}/query/next", 0)
        for entity in (
            "Companies",
            "Contracts",
            "Services",
            "ContractServices",
            "ContractServiceUnits",
            "ContractCharges",
        )
    }
    contracts = len(world["contracts"])
    monthly = timedelta(days=32)  # every generated contract bills monthly
    rows = {
        "Companies": len(world["companies"]),
        "Contracts": contracts,
        "Services": len(world["services"]),
        "ContractServices": len(world["contractServices"]),
        "ContractServiceUnits": sum(1 for r in world["contractServiceUnits"] if _in_window(r, monthly)),
        "ContractCharges": 0,
    }
    for entity, n in queries.items():
        assert n <= _pages(rows[entity], AT_PAGE), (entity, n, rows[entity])
    assert sum(counts.values()) <= sum(_pages(r, AT_PAGE) for r in rows.values()) + AT_CONSTANT
    # 120 clients with 8 licences: the unit rows of every period of every contract would be
    # over 30,000 rows; only the periods an advance style compares on are read (2 a service)
    assert queries["ContractServiceUnits"] <= ceil(2 * len(world["contractServices"]) / AT_PAGE) + 1


def test_autotask_plan_reads_each_entity_in_the_fewest_pages_its_records_fit(at):
    """Under 500 contracts every `in` list is one query, so each entity takes exactly
    ceil(records listed / 500) requests: no short page before the last, no second pass."""
    at.plan()
    listed = at.server.counts.records()
    counts = at.counts("autotask")
    for entity in ("Companies", "Contracts", "Services", "ContractServices", "ContractServiceUnits"):
        records = listed.get(f"POST autotask /{entity}/query", 0) + listed.get(f"POST autotask /{entity}/query/next", 0)
        requests = counts.get(f"POST /{entity}/query", 0) + counts.get(f"POST /{entity}/query/next", 0)
        assert records > 0, entity
        assert requests == _pages(records, AT_PAGE), (entity, requests, records)


def test_connectwise_plan_reads_additions_once_per_agreement_and_the_rest_in_pages(cw):
    agreements = len(cw.world()["connectwise"]["agreements"])
    cw.plan()
    counts = cw.counts("connectwise")
    assert counts["GET /finance/agreements/{id}/additions"] == agreements
    assert counts["GET /company/companies"] == _pages(agreements, CW_PAGE)
    assert counts["GET /finance/agreements"] == _pages(agreements, CW_PAGE)
    assert counts["GET /procurement/catalog"] == 1
    assert sum(counts.values()) == agreements + 3


def test_a_client_run_reads_only_that_clients_records_in_connectwise(cw):
    client = cw.plan()["scope"]["clients"][7]
    plan = cw.plan("--client", client)
    assert set(plan["clients"]) == {client}
    counts = cw.counts("connectwise")
    assert counts == {
        "GET /company/companies": 1,
        "GET /finance/agreements": 1,
        "GET /finance/agreements/{id}/additions": 1,
        "GET /procurement/catalog": 1,
    }
    dd = cw.counts("dickerdata")
    assert sum(n for label, n in dd.items() if "Subscriptions" in label) == 1


def test_a_client_run_reads_only_that_clients_records_in_autotask(at):
    client = at.plan()["scope"]["clients"][3]
    at.plan("--client", client)
    counts = at.counts("autotask")
    assert not any(label.endswith("/query/next") for label in counts), counts
    assert all(n == 1 for label, n in counts.items()), counts
    listed = at.server.counts.records()
    assert listed["POST autotask /Companies/query"] == 1
    assert listed["POST autotask /Contracts/query"] == 1
    contract = _agreement_of(at, client)
    services = [s for s in at.world()["autotask"]["contractServices"] if s["contractID"] == contract]
    assert listed["POST autotask /ContractServices/query"] == len(services) > 0
    ids = {s["id"] for s in services}
    assert all(parse_date(c["startDate"]).day == 1 for c in at.world()["autotask"]["contracts"] if c["id"] == contract)
    rows = [
        r for r in at.world()["autotask"]["contractServiceUnits"] if r["contractServiceID"] in ids and _compared_on(r)
    ]
    assert listed["POST autotask /ContractServiceUnits/query"] == len(rows) > 0


def _agreement_of(at, client: str) -> int:
    """The contract a client's spec maps to."""
    for path in (at.root / "specs" / "clients").glob("*.yaml"):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if str(spec.get("dd_customer_id")) == client:
            return int(spec["agreement_id"])
    raise AssertionError(f"no spec for {client}")
