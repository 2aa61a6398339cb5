"""A read's queries side by side: three at once per endpoint (Autotask's thread limit), every
endpoint at once, results in the order asked for; charges counted before they are read."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from providers.autotask.query_pool import QueryPool
from providers.autotask.reader import Reader
from tests.providers.autotask.conftest import page, threshold_body


def _held(release: threading.Event, per_entity: dict[str, int], lock: threading.Lock):
    """An answer that holds every query until released, counting queries in flight per entity."""
    peak: dict[str, int] = {}

    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        entity = request.url.split("/v1.0/")[1].split("/")[0]
        with lock:
            per_entity[entity] = per_entity.get(entity, 0) + 1
            peak[entity] = max(peak.get(entity, 0), per_entity[entity])
        release.wait(timeout=5)
        with lock:
            per_entity[entity] -= 1
        filters = json.loads(request.body)["filter"]
        after = next((f["value"] for f in filters if f["op"] == "gt"), 0)  # the next page: past the last id
        return 200, page([{"id": i} for i in filters[0]["value"] if i > after]), {}

    return answer, peak


def test_queries_run_three_at_once_per_entity_and_entities_side_by_side(make_client, fake_transport) -> None:
    release, lock, in_flight = threading.Event(), threading.Lock(), {}
    answer, peak = _held(release, in_flight, lock)
    transport = fake_transport(answer)
    client = make_client(transport=transport, parallelism=3)
    with QueryPool(client) as pool:
        units = pool.query_in("ContractServiceUnits", "contractID", range(1, 2501))  # 5 queries
        services = pool.query_in("ContractServices", "contractID", range(1, 1501))  # 3 queries
        for _ in range(500):
            if transport.active >= 6:
                break
            time.sleep(0.01)
        time.sleep(0.05)  # room for a seventh, were a limit broken
        at_once = transport.active
        release.set()
        unit_ids, service_ids = [r["id"] for r in units.result()], [r["id"] for r in services.result()]
    assert at_once == 6 and peak == {"ContractServiceUnits": 3, "ContractServices": 3}
    assert unit_ids == list(range(1, 2501)) and service_ids == list(range(1, 1501))  # in the order asked


def test_with_parallelism_one_every_query_runs_alone(make_client, fake_transport) -> None:
    transport = fake_transport(lambda r: (200, threshold_body() if "Threshold" in r.url else page([]), {}))
    client = make_client(transport=transport, parallelism=1)
    with QueryPool(client) as pool:
        pool.query_in("ContractServiceUnits", "contractID", range(1, 1501))
        pool.query_in("ContractServices", "contractID", range(1, 1501))
    assert transport.peak == 1 and len(transport.sent) == 7


def _charges_answer(charges: list[dict], counted: list[dict]):
    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        body = json.loads(request.body)
        if request.url.endswith("/query/count"):
            counted.append(body)
            return 200, {"queryCount": len(charges)}, {}
        contracts = next((f["value"] for f in body["filter"] if f.get("field") == "contractID"), None)
        return 200, page([c for c in charges if contracts is None or c["contractID"] in contracts]), {}

    return answer


def _read_charges(make_client, fake_transport, charges, contracts):
    counted: list[dict] = []
    transport = fake_transport(_charges_answer(charges, counted))
    reader = Reader(
        make_client(transport=transport),
        zone=ZoneInfo("UTC"),
        database_zone=ZoneInfo("UTC"),
        charge_lookback=timedelta(days=93),
    )
    with QueryPool(reader.client) as pool:
        found = reader._charges(pool, contracts, date(2024, 6, 15)).result()
    labels = [r.url.split("/v1.0")[1] for r in transport.sent if "Threshold" not in r.url]
    return found, labels, counted


def test_no_charge_in_the_lookback_costs_one_count_instead_of_a_query_per_500_contracts(make_client, fake_transport):
    found, labels, counted = _read_charges(make_client, fake_transport, [], list(range(1, 5001)))
    assert found == [] and labels == ["/ContractCharges/query/count"]
    assert counted == [{"filter": [{"op": "gte", "field": "datePurchased", "value": "2024-03-14T00:00:00"}]}]


def test_charges_are_read_by_date_in_one_query_and_kept_for_the_contracts_in_scope(make_client, fake_transport):
    charges = [{"id": 1, "contractID": 7}, {"id": 2, "contractID": 9999}, {"id": 3, "contractID": 4000}]
    found, labels, _ = _read_charges(make_client, fake_transport, charges, list(range(1, 5001)))
    assert [c["id"] for c in found] == [1, 3]
    assert labels == ["/ContractCharges/query/count", "/ContractCharges/query"]


def test_a_database_full_of_other_charges_is_read_by_contract_after_all(make_client, fake_transport):
    charges = [{"id": i, "contractID": 90_000 + i} for i in range(1, 1502)] + [{"id": 9, "contractID": 1200}]
    found, labels, _ = _read_charges(make_client, fake_transport, charges, list(range(1, 1501)))
    assert [c["id"] for c in found] == [9]
    assert labels == ["/ContractCharges/query/count"] + ["/ContractCharges/query"] * 3


def test_a_few_contracts_read_their_charges_without_counting(make_client, fake_transport):
    _, labels, _ = _read_charges(make_client, fake_transport, [], list(range(1, 1001)))
    assert labels == ["/ContractCharges/query"] * 2
