"""The REST client against replayed ConnectWise answers (cassettes) and a fake transport."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError

from reconciler.errors import ProviderError

POST_MAIN = {
    "product": {"id": 701},
    "quantity": 5,
    "billCustomer": "Billable",
    "effectiveDate": "2024-06-10T00:00:00Z",
    "unitPrice": 7.2,
    "unitCost": 5.4,
    "invoiceDescription": "Microsoft 365 Business Basic x 5 (2024-06-10 to 2024-06-30)",
    "description": "Microsoft 365 Business Basic [ncesync:main]",
}


# -- paging and conditions ----------------------------------------------------------------


def test_paging_follows_link_headers_over_three_pages(cw_vcr, make_client):
    client = make_client(page_size=2)
    with cw_vcr.use_cassette("paging_link_headers.yaml") as cassette:
        records = client.additions(1001, since=date(2024, 6, 15))
    assert [r["id"] for r in records] == [5001, 5002, 5003, 5004, 5005]
    assert cassette.all_played and cassette.play_count == 3
    assert client.request_counts() == {"GET /finance/agreements/{id}/additions": 3}


def test_conditions_are_sent_in_the_query(cw_vcr, make_client):
    client = make_client(page_size=2)
    with cw_vcr.use_cassette("paging_link_headers.yaml") as cassette:
        client.additions(1001, since=date(2024, 6, 15))
    first = dict(cassette.requests[0].query)
    assert first["conditions"] == "cancelledDate = null or cancelledDate >= [2024-06-15T00:00:00Z]"
    assert (first["pageSize"], first["page"]) == ("2", "1")


def test_without_link_headers_pages_are_counted_until_a_short_page(cw_vcr, make_client):
    client = make_client(page_size=2)
    with cw_vcr.use_cassette("paging_without_link.yaml") as cassette:
        records = client.companies([254, 250, 251, 252, 253])
    assert [r["id"] for r in records] == [250, 251, 252, 253, 254]
    assert cassette.play_count == 3


def test_a_next_link_naming_another_host_is_followed_on_the_configured_site(make_client, fake_transport):
    def answer(request):
        page = parse_qs(urlsplit(request.url).query)["page"][0]
        if page == "1":
            link = (
                '<https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?pageSize=2&page=2>; rel="next"'
            )
            return 200, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], {"Link": link}
        return 200, [{"id": 3, "name": "c"}], {"Link": '<x>; rel="first"'}

    transport = fake_transport(answer)
    records = make_client(transport=transport, page_size=2).get_all("/company/companies")
    assert [r["id"] for r in records] == [1, 2, 3]
    assert [urlsplit(r.url).netloc for r in transport.sent] == ["api-na.myconnectwise.net"] * 2


def test_every_request_carries_auth_client_id_pinned_version_and_a_timeout(make_client, fake_transport):
    transport = fake_transport(lambda request: (200, [], {}))
    make_client(transport=transport).agreements([1001])
    sent = transport.sent[0]
    expected = base64.b64encode(b"contoso+PubKey7Hq2:PrivKey9Zx4").decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["clientId"] == "3f1c2a9e-0000-4000-8000-00000000c11d"
    assert sent.headers["Accept"] == "application/vnd.connectwise.com+json; version=2026.4"
    assert sent.url.startswith("https://api-na.myconnectwise.net/v4_6_release/apis/3.0/finance/agreements?")
    assert transport.timeouts == [(3.0, 20.0)]


def test_additions_of_many_agreements_run_in_parallel_but_come_back_in_id_order(make_client, fake_transport):
    active, peak = [0], [0]
    lock = threading.Lock()

    def answer(request):
        agreement = int(urlsplit(request.url).path.split("/")[-2])
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        with lock:
            active[0] -= 1
        return 200, [{"id": agreement * 10, "agreementId": agreement}], {}

    transport = fake_transport(answer)
    client = make_client(transport=transport, parallelism=3)
    result = client.additions_of([8, 3, 5, 1, 9, 2, 7], since=date(2024, 6, 1))
    assert list(result) == [1, 2, 3, 5, 7, 8, 9]
    assert all(records == [{"id": a * 10, "agreementId": a}] for a, records in result.items())
    assert peak[0] <= 3
    assert client.request_counts() == {"GET /finance/agreements/{id}/additions": 7}


# -- writes -------------------------------------------------------------------------------


def test_post_sends_the_addition_body(cw_vcr, make_client):
    client = make_client()
    with cw_vcr.use_cassette("post_addition.yaml") as cassette:
        record = client.create_addition(1001, POST_MAIN)
    assert record["id"] == 5010
    assert json.loads(cassette.requests[0].body) == POST_MAIN
    assert client.request_counts() == {"POST /finance/agreements/{id}/additions": 1}


def test_patch_sends_replace_operations(cw_vcr, make_client):
    ops = [
        {"op": "replace", "path": "/quantity", "value": 15},
        {"op": "replace", "path": "/unitPrice", "value": 21.5},
        {"op": "replace", "path": "/invoiceDescription", "value": "Microsoft 365 Business Premium x 15"},
    ]
    client = make_client()
    with cw_vcr.use_cassette("patch_addition.yaml") as cassette:
        record = client.patch_addition(1001, 5001, ops)
    assert record["quantity"] == 15
    assert cassette.all_played


def test_a_body_that_differs_from_the_recorded_one_is_not_replayed(cw_vcr, make_client):
    client = make_client()
    with cw_vcr.use_cassette("patch_addition.yaml"), pytest.raises(Exception, match="(?i)cassette|match"):
        client.patch_addition(1001, 5001, [{"op": "replace", "path": "/quantity", "value": 16}])


# -- errors -------------------------------------------------------------------------------


def test_400_invalid_object_shows_connectwise_text(cw_vcr, make_client):
    with cw_vcr.use_cassette("error_400_invalid_object.yaml"), pytest.raises(ProviderError) as err:
        make_client().create_addition(1001, POST_MAIN)
    message = str(err.value)
    assert err.value.status == 400
    assert "addition object is invalid" in message
    assert "product: The product 'M365-BB' is inactive and cannot be added." in message
    assert "InvalidObject" in message


def test_401_names_the_api_keys(cw_vcr, make_client):
    with cw_vcr.use_cassette("error_401.yaml"), pytest.raises(ProviderError) as err:
        make_client().companies([250])
    assert "ConnectWise rejected the API keys (company id + public key / private key)" in str(err.value)
    assert "PrivKey9Zx4" not in str(err.value)


def test_403_names_the_missing_permission(cw_vcr, make_client):
    with cw_vcr.use_cassette("error_403.yaml"), pytest.raises(ProviderError) as err:
        make_client().agreements([1001])
    assert err.value.status == 403
    assert "security role" in str(err.value)
    assert "Finance > Agreements (Inquire Level: All)" in str(err.value)


def test_404_names_the_id(cw_vcr, make_client):
    with cw_vcr.use_cassette("error_404.yaml"), pytest.raises(ProviderError) as err:
        make_client().patch_addition(1001, 9999, [{"op": "replace", "path": "/quantity", "value": 4}])
    assert err.value.status == 404
    assert "addition 9999 on agreement 1001 was not found" in str(err.value)
    assert "Addition record with id 9999 not found" in str(err.value)


def test_429_waits_as_retry_after_says_then_reads_again(cw_vcr, make_client, sleeps):
    client = make_client()
    with cw_vcr.use_cassette("error_429_then_ok.yaml") as cassette:
        records = client.catalog_items(["M365-BP"])
    assert [r["id"] for r in records] == [700]
    assert sleeps == [7.0]
    assert cassette.play_count == 2
    assert client.request_counts() == {"GET /procurement/catalog": 2}


def test_a_post_that_fails_with_500_is_sent_exactly_once(cw_vcr, make_client, sleeps):
    client = make_client()
    with cw_vcr.use_cassette("error_500_post.yaml") as cassette, pytest.raises(ProviderError) as err:
        client.create_addition(1001, POST_MAIN)
    assert err.value.status == 500
    assert "An unexpected error occurred while saving the addition" in str(err.value)
    assert cassette.play_count == 1
    assert client.request_counts() == {"POST /finance/agreements/{id}/additions": 1}
    assert sleeps == []


def test_a_post_that_times_out_raises_without_a_retry(make_client, fake_transport, sleeps):
    def answer(request):
        raise ReadTimeoutError(None, request.url, "read timed out")  # type: ignore[arg-type]

    transport = fake_transport(answer)
    with pytest.raises(ProviderError, match="timed out"):
        make_client(transport=transport).create_addition(1001, POST_MAIN)
    assert len(transport.sent) == 1 and sleeps == []


def test_a_read_that_keeps_timing_out_raises_after_the_retries(make_client, fake_transport, sleeps):
    def answer(request):
        raise ConnectTimeoutError("connect timed out")

    transport = fake_transport(answer)
    with pytest.raises(ProviderError, match="timed out"):
        make_client(transport=transport).agreements([1001])
    assert len(transport.sent) == 3  # RetryPolicy(attempts=3) in the fixture
    assert sleeps == [0.5, 1.0]


def test_an_html_answer_is_reported_as_a_wrong_site(make_client, fake_transport):
    transport = fake_transport(lambda request: (200, b"<html>login</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ProviderError, match="not JSON"):
        make_client(transport=transport).agreements([1])
