"""The Autotask REST client: zone, headers, paging, `in` lists, errors, retries, limits."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from providers.autotask.budget import RequestBudget
from providers.autotask.client import zone_root
from providers.autotask.filters import in_chunks
from reconciler.errors import ProviderError
from tests.providers.autotask.conftest import CREDENTIALS, ZONE, page, threshold_body


def test_zone_is_discovered_once_and_kept(make_client, at_vcr):
    client = make_client(zone_url=None)
    with at_vcr.use_cassette("zone_discovery.yaml") as cassette:
        assert client.query_in("Contracts", "id", [7001])[0]["id"] == 7001
        assert client.query_in("Services", "id", [9001])[0]["id"] == 9001
        assert cassette.all_played
    assert client.zone_url == "https://webservices5.autotask.net/atservicesrest"
    assert client.request_counts()["GET /zoneInformation"] == 1


@pytest.mark.parametrize(
    "given",
    [
        "https://webservices5.autotask.net/atservicesrest/",
        "https://webservices5.autotask.net/ATServicesRest/V1.0/",
        "https://webservices5.autotask.net",
    ],
)
def test_zone_url_in_any_usual_form(given):
    assert zone_root(given).lower() == "https://webservices5.autotask.net/atservicesrest"


def test_every_request_carries_the_three_auth_headers_and_json(make_client, fake_transport):
    transport = fake_transport(lambda r: (200, threshold_body() if "Threshold" in r.url else page([]), {}))
    client = make_client(transport=transport)
    client.query("Contracts", [])
    for request in transport.sent:
        assert request.headers["ApiIntegrationCode"] == CREDENTIALS["integration_code"]
        assert request.headers["UserName"] == CREDENTIALS["username"]
        assert request.headers["Secret"] == CREDENTIALS["secret"]
        assert request.headers["Content-Type"] == "application/json"
    assert transport.sent[-1].url == f"{ZONE}/v1.0/Contracts/query"


def test_a_full_page_is_followed_by_the_same_query_past_its_last_id(make_client, at_vcr):
    client = make_client(page_size=2)
    with at_vcr.use_cassette("paging_by_id.yaml") as cassette:
        records = client.query_in("Contracts", "id", [7003, 7001, 7002])
        assert cassette.all_played
    assert [r["id"] for r in records] == [7001, 7002, 7003]
    assert client.request_counts()["POST /Contracts/query"] == 2
    assert "POST /Contracts/query/next" not in client.request_counts()


def test_the_next_page_link_is_never_called_so_credentials_stay_on_the_zone(make_client, fake_transport):
    """Whether Autotask wants GET or POST on `nextPageUrl` is not documented: ncesync pages by
    id instead, and so never sends its credentials where a link points."""

    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        after = [f["value"] for f in request.json()["filter"] if f["op"] == "gt"]
        items = [] if after else [{"id": 1}]
        return 200, page(items, "https://evil.example/steal?x=1"), {}

    transport = fake_transport(answer)
    assert make_client(transport=transport).query("Contracts", []) == [{"id": 1}]
    assert all(r.url.startswith(ZONE) for r in transport.sent)
    assert [f for f in transport.sent[-1].json()["filter"] if f["op"] == "gt"] == [
        {"op": "gt", "field": "id", "value": 1}
    ]


@pytest.mark.parametrize("ids", [[5, 3], [4, 4]], ids=["descending", "repeated"])
def test_a_page_out_of_id_order_stops_the_read_instead_of_skipping_records(make_client, fake_transport, ids):
    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        return 200, page([{"id": i} for i in ids]), {}

    client = make_client(page_size=2, transport=fake_transport(answer))
    with pytest.raises(ProviderError, match="out of id order"):
        client.query("Contracts", [])


def test_include_fields_always_carry_the_id_paging_needs(make_client, fake_transport):
    transport = fake_transport(lambda r: (200, threshold_body() if "Threshold" in r.url else page([]), {}))
    make_client(transport=transport).query("Contracts", [], include_fields=["contractName"])
    assert transport.sent[-1].json()["includeFields"] == ["contractName", "id"]


def test_in_lists_are_split_at_500_values(make_client, at_vcr):
    client = make_client()
    with at_vcr.use_cassette("in_list_chunks.yaml") as cassette:
        found = client.query_in("Companies", "id", range(1, 502), include_fields=("id", "companyName"))
        assert cassette.all_played
    assert [c["id"] for c in found] == [1, 501]
    assert client.request_counts()["POST /Companies/query"] == 2


def test_in_chunks_sorted_distinct_and_none_for_no_values():
    chunks = in_chunks("id", [3, 1, 3, 2], size=2)
    assert chunks == [{"op": "in", "field": "id", "value": [1, 2]}, {"op": "in", "field": "id", "value": [3]}]
    assert in_chunks("id", []) == []


def test_query_is_retried_after_500_and_429_honouring_retry_after(make_client, at_vcr, sleeps):
    client = make_client()
    with at_vcr.use_cassette("retry_query_after_500_and_429.yaml") as cassette:
        assert client.query_in("Contracts", "id", [7001])[0]["id"] == 7001
        assert cassette.all_played
    assert sleeps == [0.5, 2.0]
    assert client.request_counts()["POST /Contracts/query"] == 3


def test_a_create_is_not_retried_after_500_and_the_vendor_text_is_kept(make_client, at_vcr, sleeps):
    client = make_client()
    body = {
        "contractID": 7001,
        "serviceID": 9001,
        "unitChange": 3,
        "effectiveDate": "2024-07-11",
        "adjustedUnitPrice": 36.3,
        "adjustedUnitCost": 30.25,
    }
    with at_vcr.use_cassette("create_adjustment_500_not_retried.yaml"), pytest.raises(ProviderError) as caught:
        client.create("/ContractServiceAdjustments", body)
    assert caught.value.status == 500
    assert "effectiveDate must be between the start date and end date of the Contract" in str(caught.value)
    assert str(caught.value).startswith("Autotask POST /ContractServiceAdjustments: HTTP 500")
    assert client.request_counts()["POST /ContractServiceAdjustments"] == 1
    assert sleeps == []


def test_errors_list_becomes_one_clear_message(make_client, at_vcr):
    with at_vcr.use_cassette("error_400_query.yaml"), pytest.raises(ProviderError) as caught:
        make_client().query_in("Contracts", "id", [7001])
    text = str(caught.value)
    assert "HTTP 400, Autotask refused the request" in text
    assert "field 'contractNumbr' does not exist on Contract; MaxRecords must be between 1 and 500." in text


def test_401_names_the_credentials_to_check(make_client, at_vcr):
    with at_vcr.use_cassette("error_401.yaml"), pytest.raises(ProviderError) as caught:
        make_client().query_in("Contracts", "id", [7001])
    assert caught.value.status == 401
    assert "refused its secret (check psa.secret" in str(caught.value)
    assert "User is not authorized" in str(caught.value)
    assert CREDENTIALS["secret"] not in str(caught.value)


def test_threshold_stop_before_the_budget_is_spent(make_client, at_vcr):
    client = make_client()
    with at_vcr.use_cassette("threshold_stop.yaml") as cassette:
        with pytest.raises(ProviderError) as caught:
            client.query_in("Contracts", "id", [7001])
        assert cassette.all_played
    text = str(caught.value)
    assert "8850 requests" in text and "10000" in text and "200 more" in text and "9000" in text
    assert client.request_counts() == {"GET /ThresholdInformation": 1}  # the query was not sent


def test_above_half_the_threshold_a_warning_and_a_pause_per_request(make_client, at_vcr, sleeps, caplog):
    client = make_client()
    with (
        caplog.at_level(logging.WARNING, logger="providers.autotask.budget"),
        at_vcr.use_cassette("threshold_slowdown.yaml"),
    ):
        client.query_in("Contracts", "id", [7001])
    assert sleeps == [0.5]
    assert "used=6200 threshold=10000" in caplog.text


def test_threshold_is_read_again_every_check_every_requests(make_client, fake_transport, sleeps):
    readings = iter([100, 6000, 8998])

    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(next(readings)), {}
        return 200, page([]), {}

    transport = fake_transport(answer)
    client = make_client(transport=transport, budget=RequestBudget(9000, check_every=3, sleep=sleeps))
    for _ in range(6):
        client.query("Contracts", [])
    with pytest.raises(ProviderError, match="8998 requests"):
        client.query("Contracts", [])
    assert client.request_counts() == {"GET /ThresholdInformation": 3, "POST /Contracts/query": 6}
    assert sleeps == [0.5, 0.5, 0.5]  # after the second reading (60 % of the threshold)


def test_never_more_than_three_requests_at_once(make_client, fake_transport):
    release = threading.Event()

    def answer(request):
        if "Threshold" not in request.url:
            release.wait(timeout=5)  # hold every query in flight until the test has looked
        return 200, threshold_body() if "Threshold" in request.url else page([]), {}

    transport = fake_transport(answer)
    client = make_client(transport=transport, parallelism=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(client.query, "Contracts", [{"op": "eq", "field": "id", "value": i}]) for i in range(8)]
        for _ in range(500):
            if transport.active >= 3:
                break
            time.sleep(0.01)
        time.sleep(0.05)  # room for a fourth request to get in, were the limit broken
        in_flight = transport.active
        release.set()
        for future in futures:
            future.result()
    assert in_flight == 3 and transport.peak == 3
    assert len(transport.sent) == 9  # one threshold reading and eight queries


def test_gather_reads_side_by_side_and_raises_the_first_error(make_client):
    client = make_client(parallelism=3)
    assert client.gather({"a": lambda: 1, "b": lambda: 2}) == {"a": 1, "b": 2}

    def fail():
        raise ProviderError("boom")

    with pytest.raises(ProviderError, match="boom"):
        client.gather({"a": lambda: 1, "b": fail})


def test_create_returns_the_item_id_given_as_text(make_client, fake_transport):
    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        assert json.loads(request.body) == {"name": "x"}
        return 200, {"itemId": "42"}, {}

    transport = fake_transport(answer)
    assert make_client(transport=transport).create("/Contracts/1/Charges", {"name": "x"}) == 42


def _answering_500(body):
    def answer(request):
        if "Threshold" in request.url:
            return 200, threshold_body(), {}
        return 500, body, {}

    return answer


def test_a_query_naming_a_field_autotask_lacks_is_not_retried(make_client, fake_transport, sleeps):
    """Autotask answers it with a 500 and an errors array; no retry can make the field exist,
    and each try spends a request of the hourly threshold."""
    client = make_client(
        transport=fake_transport(_answering_500({"errors": ["Unable to find contractNam in the Contract Entity."]}))
    )
    with pytest.raises(ProviderError, match="Unable to find contractNam"):
        client.query("Contracts", [{"op": "eq", "field": "contractNam", "value": "x"}])
    assert client.request_counts()["POST /Contracts/query"] == 1 and sleeps == []


@pytest.mark.parametrize(
    "body",
    [
        {"errors": ["Timeout expired while running query; Unable to find the server"]},
        {"errors": ["Unable to find contractNam in the Contract Entity.", "a deadlock; rerun the transaction"]},
        "<html><body>Unable to find contractNam in the Contract Entity.</body></html>",
    ],
    ids=["other words", "another error beside it", "not JSON"],
)
def test_any_other_500_on_a_query_is_retried(make_client, fake_transport, sleeps, body):
    client = make_client(transport=fake_transport(_answering_500(body)))
    with pytest.raises(ProviderError):
        client.query("Contracts", [])
    assert client.request_counts()["POST /Contracts/query"] > 1 and sleeps  # tried again
