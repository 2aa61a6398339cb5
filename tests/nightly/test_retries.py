"""Retries by the book: 429 and 503-with-Retry-After mean "not processed", so reads and
writes are sent again after the wait the vendor asks (seconds or an HTTP date); storms are
waited out within a time budget, and a run that gives up says why. No test sleeps."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

import pytest
from urllib3.util.retry import Retry

from providers.autotask.budget import RequestBudget
from providers.autotask.client import AutotaskClient
from providers.connectwise.client import ConnectWiseClient
from providers.http import RetryPolicy
from providers.sandbox.faults import ENV_VAR
from reconciler.errors import ProviderError, UncertainWriteError
from tests.e2e.worlds import autotask_world, working_world, write_autotask_deployment
from tests.nightly.scripted import dropped, refused, repeat, scripted

OK_ADDITION = (201, {"id": 9001}, {})
RATE_LIMITED = (429, {"code": "TooManyRequests", "message": "slow down"}, {"Retry-After": "3"})
DAY = ("--date", "2024-06-15")
CREDENTIALS = {"company_id": "c", "public_key": "p", "private_key": "k", "client_id": "x"}


def cw(steps, sleeps, **options) -> tuple[ConnectWiseClient, object]:
    transport = scripted(steps)
    client = ConnectWiseClient("https://cw.example", transport=transport, sleep=sleeps.append, **CREDENTIALS, **options)
    return client, transport


def test_the_policy_is_urllib3s_retry() -> None:
    assert isinstance(RetryPolicy().retry(write=True), Retry)
    assert isinstance(RetryPolicy().retry(write=False), Retry)


def test_a_write_answered_429_is_sent_again_after_retry_after() -> None:
    sleeps: list[float] = []
    client, transport = cw([RATE_LIMITED, OK_ADDITION], sleeps)
    assert client.create_addition(1001, {"quantity": 3})["id"] == 9001
    assert len(transport.sent) == 2 and sleeps == [3.0]


def test_a_write_answered_503_with_retry_after_is_sent_again() -> None:
    sleeps: list[float] = []
    client, transport = cw([(503, {"message": "maintenance"}, {"Retry-After": "7"}), OK_ADDITION], sleeps)
    assert client.create_addition(1001, {"quantity": 3})["id"] == 9001
    assert len(transport.sent) == 2 and sleeps == [7.0]


@pytest.mark.parametrize("status", [500, 503])
def test_a_write_answered_5xx_without_retry_after_is_sent_once(status) -> None:
    sleeps: list[float] = []
    client, transport = cw([(status, {"message": "boom"}, {}), OK_ADDITION], sleeps)
    with pytest.raises(ProviderError, match=f"HTTP {status}"):
        client.create_addition(1001, {"quantity": 3})
    assert len(transport.sent) == 1 and sleeps == []


def test_a_write_that_could_not_connect_is_sent_again_but_a_dropped_answer_is_not() -> None:
    sleeps: list[float] = []
    client, transport = cw([refused(), OK_ADDITION], sleeps)
    assert client.create_addition(1001, {"quantity": 3})["id"] == 9001
    assert len(transport.sent) == 2
    client, transport = cw([dropped(), OK_ADDITION], sleeps)
    with pytest.raises(UncertainWriteError, match="the connection dropped before the answer"):
        client.create_addition(1001, {"quantity": 3})
    assert len(transport.sent) == 1


def test_a_storm_of_twenty_429s_on_a_read_is_waited_out() -> None:
    """The attempts (5) count failures, not "come back later" answers."""
    sleeps: list[float] = []
    client, transport = cw([*repeat(RATE_LIMITED, 20), (200, [{"id": 1}], {})], sleeps)
    assert client.agreements([1]) == [{"id": 1}]
    assert len(transport.sent) == 21 and sleeps == [3.0] * 20


def test_a_storm_of_429s_on_a_write_is_waited_out() -> None:
    sleeps: list[float] = []
    client, transport = cw([*repeat(RATE_LIMITED, 8), OK_ADDITION], sleeps)
    assert client.create_addition(1001, {"quantity": 3})["id"] == 9001
    assert len(transport.sent) == 9


def test_retry_after_as_an_http_date_is_honoured() -> None:
    sleeps: list[float] = []
    when = formatdate(time.time() + 40, usegmt=True)
    client, _ = cw([(429, {}, {"Retry-After": when}), (200, [], {})], sleeps)
    client.agreements([1])
    [wait] = sleeps
    assert 37 <= wait <= 40


def test_without_retry_after_the_backoff_doubles() -> None:
    sleeps: list[float] = []
    client, _ = cw([(500, {}, {}), (502, {}, {}), (504, {}, {}), (200, [], {})], sleeps)
    client.agreements([1])
    assert sleeps == [0.5, 1.0, 2.0]


def test_retry_after_zero_in_a_storm_still_backs_off() -> None:
    sleeps: list[float] = []
    client, transport = cw([*repeat((429, {}, {"Retry-After": "0"}), 4), (200, [], {})], sleeps)
    client.agreements([1])
    assert sleeps == [0.5, 1.0, 2.0, 4.0] and len(transport.sent) == 5


def test_a_storm_longer_than_the_budget_ends_with_a_clear_message() -> None:
    sleeps: list[float] = []
    client, transport = cw(
        repeat((429, {"message": "slow down"}, {"Retry-After": "60"}), 100), sleeps, retry=RetryPolicy(budget=330)
    )
    with pytest.raises(ProviderError) as caught:
        client.agreements([1])
    message = str(caught.value)
    assert "HTTP 429" in message and "retry budget of 330 s" in message and "gave up after 6 tries" in message
    assert sum(sleeps) == 300 and len(transport.sent) == 6


def test_a_retry_after_beyond_what_ncesync_waits_is_not_waited_for() -> None:
    sleeps: list[float] = []
    client, transport = cw([(429, {}, {"Retry-After": "3600"}), (200, [], {})], sleeps)
    with pytest.raises(ProviderError, match="asked to wait 3600 s, more than the 120 s ncesync waits"):
        client.agreements([1])
    assert sleeps == [] and len(transport.sent) == 1


def test_five_server_errors_on_a_read_give_up_saying_so() -> None:
    sleeps: list[float] = []
    client, transport = cw(repeat((500, {"message": "down"}, {}), 10), sleeps)
    with pytest.raises(ProviderError, match=r"HTTP 500.*gave up after 5 tries"):
        client.agreements([1])
    assert len(transport.sent) == 5


def test_an_autotask_query_storm_and_an_adjustment_storm_are_waited_out() -> None:
    sleeps: list[float] = []
    limited = (429, {"errors": ["thread limit"]}, {"Retry-After": "1"})
    threshold = (
        200,
        {"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": 0},
        {},
    )
    steps = [
        threshold,
        *repeat(limited, 7),
        (200, {"items": [{"id": 1}], "pageDetails": {}}, {}),
        *repeat(limited, 7),
        (200, {"itemId": 55}, {}),
    ]
    transport = scripted(steps)
    client = AutotaskClient(
        username="u@x.example",
        secret="s",
        integration_code="i",
        transport=transport,
        zone_url="https://webservices5.autotask.net/atservicesrest",
        sleep=sleeps.append,
        budget=RequestBudget(10000, check_every=100, sleep=sleeps.append),
    )
    assert client.query("Contracts", []) == [{"id": 1}]
    assert client.create("/ContractServiceAdjustments", {"unitChange": 1}) == 55
    assert len(transport.sent) == 17 and sleeps == [1.0] * 14


def test_a_429_storm_on_autotask_writes_is_waited_out_end_to_end(run, monkeypatch, virtual_clock) -> None:
    world = autotask_world(quantity=15)
    write_autotask_deployment(run.root, world, style="arrears", prorate=False)
    monkeypatch.setenv(
        ENV_VAR,
        json.dumps(
            [
                {
                    "kind": "status",
                    "status": 429,
                    "retry_after": 30,
                    "times": 6,
                    "vendor": "autotask",
                    "path_contains": "Adjustments",
                },
                {
                    "kind": "status",
                    "status": 429,
                    "retry_after": 5,
                    "times": 6,
                    "vendor": "autotask",
                    "path_contains": "/query",
                },
                {"kind": "status", "status": 429, "retry_after": 5, "times": 6, "vendor": "dickerdata"},
            ]
        ),
    )
    code, out = run("apply", *DAY, "--auto-approve")
    assert code == 0, out
    assert virtual_clock.waits.count(30) == 6 and virtual_clock.waits.count(5) == 12
    adjustments = working_world(run.root)["autotask"]["contractServiceAdjustments"]
    assert [a["unitChange"] for a in adjustments] == [3]  # once, however many 429s
