"""Tokens and keys never reach a cassette, a log line or an error message."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from providers.dickerdata.provider import DickerDataProvider
from reconciler.errors import SourceError
from reconciler.model import Scope
from tests.providers.dickerdata.dickerdata_testkit import ACCOUNT, CASSETTES, TOKEN, make_vcr

LIVE_KEYS = ("live-key-5e0d1c7a-1", "live-key-5e0d1c7a-2")
TENANT = "8a1f0c52-6d0e-4b7e-9a51-1f2c3d4e5f60"
SUBSCRIPTION = {
    "TenantId": TENANT,
    "CompanyName": "Contoso Pty Ltd",
    "SubscriptionId": "a1111111-0000-4000-8000-000000000001",
    "StockCode": "P1Y:CFQ7TTC0LCHC:0002:1:",
    "StockDescription": "MS NCE M365 BUSINESS PREMIUM",
    "Status": "Active",
    "BillingFrequency": "Monthly",
    "ConfirmedQuantity": 12,
    "UnitPrice": "33.00",
}
INVOICE = {"InvoiceNumber": "INV-1", "InvoiceDate": "03-JUN-2024", "Lines": []}


class _DickerStub(BaseHTTPRequestHandler):
    """A loopback stand-in that issues real-looking keys and checks every call carries one."""

    keys_issued = 0

    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/api/AccessKeyRequest":
            assert body["AccessToken"] == TOKEN and body["AccountCode"] == ACCOUNT
            key = LIVE_KEYS[_DickerStub.keys_issued % 2]
            _DickerStub.keys_issued += 1
            return self._send({"AccessKey": key, "ExpireDateTime": "2099-01-01T00:00:00Z", "Status": "GRANTED"})
        assert self._key(body) in LIVE_KEYS
        return self._send({"Out": [SUBSCRIPTION]})

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        assert self._key(query) in LIVE_KEYS
        if self.path.startswith("/api/Account/InvoiceDetails"):
            return self._send(INVOICE)
        return self._send([{"InvoiceNumber": "INV-1", "InvoiceDate": "2024-06-03", "Total": "0.00"}])

    def _key(self, carrier):
        bearer = self.headers.get("Authorization", "")
        if bearer:
            return bearer.removeprefix("Bearer ")
        if "RequestHeader" in carrier:
            assert carrier["RequestHeader"]["Token"] == TOKEN
            return carrier["RequestHeader"]["AccessKey"]
        assert carrier["request.requestHeader.token"] == [TOKEN]
        return carrier["request.requestHeader.accessKey"][0]

    def _send(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DickerStub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SCOPE = Scope(sync_date=date(2024, 6, 15), with_invoices=True)


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif node is not None:
        yield str(node)


def test_no_cassette_holds_the_token_or_a_key():
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert len(cassettes) >= 10
    for path in cassettes:
        text = path.read_text()
        for secret in (TOKEN, *LIVE_KEYS):
            assert secret not in text, f"{path.name} holds a secret"
        # Every credential the cassettes show is a placeholder, never a value.
        for value in _strings(yaml.safe_load(text)):
            for name in ('"AccessKey": "', '"Token": "', '"AccessToken": "', "Bearer "):
                if name in value:
                    rest = value.split(name, 1)[1]
                    assert rest.startswith("<"), f"{path.name}: {name}{rest[:20]}"


@pytest.mark.parametrize("transport", ["body", "header"])
def test_a_recorded_cassette_has_every_secret_filtered(tmp_path, stub_url, make_client, transport):
    client = make_client(transport, base_url=stub_url)
    with make_vcr(tmp_path, record_mode="all").use_cassette("recorded.yaml"):
        inventory = DickerDataProvider(client=client).read(SCOPE)
    assert inventory.subscriptions[0].quantity == 12
    recorded = (tmp_path / "recorded.yaml").read_text()
    for secret in (TOKEN, *LIVE_KEYS):
        assert secret not in recorded
    assert "<ACCESS_KEY>" in recorded
    # ... and the filtered recording still replays.
    replay = make_client(transport, base_url=stub_url)
    with make_vcr(tmp_path).use_cassette("recorded.yaml") as cassette:
        DickerDataProvider(client=replay).read(SCOPE)
    assert cassette.all_played


def test_no_log_line_holds_the_token_or_a_key(stub_url, make_client, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 logs each URL, query string included, at DEBUG
    DickerDataProvider(client=make_client("body", base_url=stub_url)).read(SCOPE)
    assert "GetSubscriptionDetails" in caplog.text and "InvoiceDetails" in caplog.text
    for secret in (TOKEN, *LIVE_KEYS):
        assert secret not in caplog.text


def test_an_error_echoing_the_token_is_masked(make_client, fake_transport):
    fake_transport.answer(401, {"Message": f"token {TOKEN} is not valid for {ACCOUNT}"})
    client = make_client(transport=fake_transport)
    with pytest.raises(SourceError) as caught:
        client.subscription_details()
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.vendor_message
    assert "token *** is not valid" in str(caught.value)


def test_an_error_echoing_the_key_is_masked(make_client, fake_transport):
    fake_transport.answer(
        200, {"AccessKey": LIVE_KEYS[0], "ExpireDateTime": "2099-01-01T00:00:00", "Status": "GRANTED"}
    )
    fake_transport.answer(400, {"Message": f"bad request for key {LIVE_KEYS[0]}"})
    client = make_client(transport=fake_transport)
    with pytest.raises(SourceError) as caught:
        client.subscription_details()
    assert LIVE_KEYS[0] not in str(caught.value)
    assert "bad request for key ***" in str(caught.value)


def test_the_key_is_not_in_a_repr():
    from providers.dickerdata.accesskey import AccessKey

    key = AccessKey.from_answer(
        {"AccessKey": LIVE_KEYS[0], "ExpireDateTime": "2099-01-01T00:00:00Z", "Status": "GRANTED"}, "test"
    )
    assert LIVE_KEYS[0] not in repr(key)
