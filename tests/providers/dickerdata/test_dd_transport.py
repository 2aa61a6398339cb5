"""Where the credentials travel, with the real values (a fake transport keeps what was sent)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from providers.dickerdata.transport import KeyTransport
from reconciler.errors import ConfigError, SourceError
from tests.providers.dickerdata.dickerdata_testkit import ACCOUNT, TOKEN

GRANT_1 = {"AccessKey": "issued-key-one", "ExpireDateTime": "2024-06-15T02:00:00", "Status": "GRANTED"}
GRANT_2 = {"AccessKey": "issued-key-two", "ExpireDateTime": "2024-06-15T03:00:00+00:00", "Status": "GRANTED"}


def _json(sent):
    return sent["json"]


def test_key_request_sends_token_and_account_code(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(200, {"Out": []})
    make_client(transport=fake_transport).subscription_details()
    key_request = fake_transport.sent[0]
    assert key_request["method"] == "POST" and key_request["url"].endswith("/api/AccessKeyRequest")
    body = _json(key_request)
    assert body["AccessToken"] == TOKEN and body["AccountCode"] == ACCOUNT
    uuid.UUID(body["TransactionID"])


def test_body_transport_puts_token_and_key_in_the_post_body(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(200, {"Out": []})
    make_client("body", transport=fake_transport).subscription_details("tenant-1")
    call = fake_transport.sent[1]
    assert call["json"]["In"] == {"TenantID": "tenant-1", "SubscriptionType": "CSP"}
    header = call["json"]["RequestHeader"]
    assert header["Token"] == TOKEN and header["AccessKey"] == "issued-key-one"
    uuid.UUID(header["TransactionID"])
    assert "Authorization" not in (call.get("headers") or {})


def test_body_transport_puts_dotted_query_parameters_on_get(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(200, [])
    make_client("body", transport=fake_transport).invoices(date(2024, 5, 1), date(2024, 6, 15))
    params = fake_transport.sent[1]["params"]
    assert params["startDate"] == "2024-05-01" and params["endDate"] == "2024-06-15"
    assert params["request.requestHeader.token"] == TOKEN
    assert params["request.requestHeader.accessKey"] == "issued-key-one"
    uuid.UUID(params["request.requestHeader.transactionID"])


def test_header_transport_sends_bearer_key_and_dd_headers_only(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(200, {"Out": []})
    fake_transport.answer(200, {"InvoiceNumber": "1", "InvoiceDate": "03-JUN-2024", "Lines": []})
    client = make_client("header", transport=fake_transport)
    client.subscription_details()
    client.invoice_details("1")
    for call in fake_transport.sent[1:]:
        headers = call["headers"]
        assert headers["Authorization"] == "Bearer issued-key-one"
        assert headers["DD-ApiVersion"] == "1.0"
        uuid.UUID(headers["DD-TransactionID"])
        assert TOKEN not in json.dumps(call.get("json") or {}) + json.dumps(call.get("params") or {})
    assert "RequestHeader" not in fake_transport.sent[1]["json"]


def test_every_call_has_its_own_transaction_id(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(200, {"Out": []})
    fake_transport.answer(200, {"Out": []})
    client = make_client(transport=fake_transport)
    client.subscription_details("a")
    client.subscription_details("b")
    ids = [_json(s).get("TransactionID") or _json(s)["RequestHeader"]["TransactionID"] for s in fake_transport.sent]
    assert len(set(ids)) == 3


def test_a_refused_call_is_repeated_with_the_new_key(make_client, fake_transport):
    fake_transport.answer(200, GRANT_1)
    fake_transport.answer(403, {"Message": "Forbidden"})
    fake_transport.answer(200, GRANT_2)
    fake_transport.answer(200, {"Out": []})
    make_client(transport=fake_transport).subscription_details()
    keys = [s["json"].get("RequestHeader", {}).get("AccessKey") for s in fake_transport.sent]
    assert keys == [None, "issued-key-one", None, "issued-key-two"]


def test_a_granted_answer_without_key_is_an_error(make_client, fake_transport):
    fake_transport.answer(200, {"Status": "GRANTED", "ExpireDateTime": "2024-06-15T02:00:00Z"})
    with pytest.raises(SourceError, match="Status GRANTED but no AccessKey"):
        make_client(transport=fake_transport).subscription_details()


def test_an_unreadable_expiry_is_an_error(make_client, fake_transport):
    fake_transport.answer(200, {**GRANT_1, "ExpireDateTime": "tomorrow"})
    with pytest.raises(SourceError, match="ExpireDateTime 'tomorrow' is not an ISO date-time"):
        make_client(transport=fake_transport).subscription_details()


def test_dotnet_expiry_with_seven_fraction_digits_is_read(make_client, fake_transport, clock):
    fake_transport.answer(200, {**GRANT_1, "ExpireDateTime": "2024-06-15T11:30:00.1234567+10:00"})
    key = make_client(transport=fake_transport).access_key()
    assert key.expires.isoformat() == "2024-06-15T11:30:00.123456+10:00"  # 01:30 UTC
    assert key.is_fresh(clock.now)  # 01:00 UTC
    assert not key.is_fresh(clock.now + timedelta(minutes=29, seconds=30))  # inside the margin


def test_an_unknown_key_transport_is_a_config_error():
    with pytest.raises(ConfigError, match="source.key_transport is 'cookie'; expected one of: body, header"):
        KeyTransport.named("cookie")
