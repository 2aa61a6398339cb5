"""The contract services this run's adjustments created are looked up together for their
descriptions: one query for every one waiting, not one each."""

from __future__ import annotations

import json

import pytest

from providers.autotask.created_services import CreatedServices, _queries
from reconciler.errors import ProviderError
from tests.providers.autotask.conftest import page, threshold_body


def _services_answer(existing: list[dict], bodies: list[dict]):
    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        bodies.append(json.loads(request.body))
        return 200, page(existing), {}

    return answer


def test_one_query_finds_every_service_waiting(make_client, fake_transport) -> None:
    existing = [{"id": 900 + i, "contractID": 7000 + i, "serviceID": 9001 + i % 2} for i in range(6)]
    bodies: list[dict] = []
    transport = fake_transport(_services_answer(existing, bodies))
    created = CreatedServices(make_client(transport=transport))
    for record in existing:
        created.created(record["contractID"], record["serviceID"])
    assert [created.find(r["contractID"], r["serviceID"])["id"] for r in existing] == [900, 901, 902, 903, 904, 905]
    assert len(bodies) == 1
    (group_a, group_b) = bodies[0]["filter"][0]["items"]  # one group per service
    assert group_a["items"] == [
        {"op": "in", "field": "contractID", "value": [7000, 7002, 7004]},
        {"op": "eq", "field": "serviceID", "value": 9001},
    ]
    assert group_b["items"][0]["value"] == [7001, 7003, 7005]


def test_a_lone_service_is_looked_up_as_before(make_client, fake_transport) -> None:
    bodies: list[dict] = []
    transport = fake_transport(_services_answer([{"id": 31, "contractID": 7001, "serviceID": 9001}], bodies))
    assert CreatedServices(make_client(transport=transport)).find(7001, 9001)["id"] == 31
    assert bodies == [
        {
            "filter": [
                {"op": "eq", "field": "contractID", "value": 7001},
                {"op": "eq", "field": "serviceID", "value": 9001},
            ],
            "maxRecords": 500,
        }
    ]


def test_a_service_autotask_does_not_show_is_an_error(make_client, fake_transport) -> None:
    transport = fake_transport(_services_answer([], []))
    with pytest.raises(ProviderError, match="no contract service for service 9001 on contract 7001"):
        CreatedServices(make_client(transport=transport)).find(7001, 9001)


def test_more_than_500_contracts_make_more_queries_each_with_at_most_500() -> None:
    keys = {(c, 9001) for c in range(1, 701)} | {(c, 9002) for c in range(1, 101)}
    queries = _queries(keys)
    sizes = [
        sum(len(g["items"][0]["value"]) for g in q[0]["items"]) if q[0]["op"] == "or" else len(q[0]["value"])
        for q in queries
    ]
    assert sizes == [500, 300] and sum(sizes) == 800
