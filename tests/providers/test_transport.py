"""The transport under every vendor client (providers/transport.py): the environment's proxy
and CA bundle read once per host, answers read whole, and what HttpClient makes of a redirect
and of a broken connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

import certifi
import pytest
import urllib3
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError, SSLError

from providers import transport as transport_module
from providers.http import HttpClient, RetryPolicy
from providers.retry import Attempts
from providers.transport import PooledTransport, Response, proxy_for
from reconciler.errors import ConfigError, ProviderError, UncertainWriteError
from tests.providers.fake_transport import FakeTransport

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_proxies_come_from_the_environment_and_no_proxy_is_respected(no_settings) -> None:
    no_settings.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    no_settings.setenv("NO_PROXY", "internal.example")
    pooled = PooledTransport()
    through = pooled._manager("https://api-na.myconnectwise.net/v4_6_release/apis/3.0/x")
    assert isinstance(through, urllib3.ProxyManager)
    assert through.proxy is not None and through.proxy.url == "http://proxy.example:3128"
    direct = pooled._manager("https://internal.example/atservicesrest/v1.0/x")
    assert not isinstance(direct, urllib3.ProxyManager)


@pytest.mark.parametrize(
    ("url", "no_proxy", "direct"),
    [
        ("https://api.example.com/x", "example.com", True),  # a domain and its subdomains
        ("https://example.com/x", ".example.com", True),
        ("https://myexample.com/x", "example.com", False),  # not a subdomain
        ("https://10.1.2.3/x", "10.0.0.0/8", True),  # a network
        ("https://10.1.2.3/x", "10.1.2.3", True),
        ("https://192.168.1.1/x", "10.0.0.0/8,internal.example", False),
        ("https://x.example/x", "x.example:443", True),  # the scheme's port
        ("https://x.example:8443/x", "x.example:443", False),
        ("https://[::1]:9000/x", "::1", True),
        ("https://anything.example/x", " * ", True),
        ("https://anything.example/x", "", False),
    ],
)
def test_no_proxy_names_hosts_domains_and_networks(no_settings, url, no_proxy, direct) -> None:
    no_settings.setenv("https_proxy", "http://proxy.example:3128")
    no_settings.setenv("no_proxy", no_proxy)
    assert proxy_for(url) == ("" if direct else "http://proxy.example:3128")


def test_lower_case_proxy_variables_win_and_all_proxy_is_the_fallback(no_settings) -> None:
    no_settings.setenv("HTTPS_PROXY", "http://upper.example:3128")
    no_settings.setenv("https_proxy", "http://lower.example:3128")
    no_settings.setenv("ALL_PROXY", "http://all.example:3128")
    assert proxy_for("https://x.example/a") == "http://lower.example:3128"
    assert proxy_for("http://x.example/a") == "http://all.example:3128"


def test_a_proxy_user_and_password_go_as_proxy_authorization(no_settings) -> None:
    no_settings.setenv("HTTPS_PROXY", "http://msp%40corp:p%3Ass@proxy.example:3128")
    manager = PooledTransport()._manager("https://api-na.myconnectwise.net/x")
    assert isinstance(manager, urllib3.ProxyManager)
    # base64 of "msp@corp:p:ss", the user and password unquoted
    assert manager.proxy_headers == {"Proxy-Authorization": "Basic bXNwQGNvcnA6cDpzcw=="}


def test_a_ca_bundle_from_the_environment_verifies_tls(no_settings, tmp_path) -> None:
    bundle = tmp_path / "msp-bundle.pem"
    bundle.write_text("")
    no_settings.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    kw = PooledTransport()._manager("https://x.example/a").connection_pool_kw
    assert kw["ca_certs"] == str(bundle) and kw["cert_reqs"] == "CERT_REQUIRED"


def test_a_ca_folder_from_the_environment_is_a_folder_of_certificates(no_settings, tmp_path) -> None:
    no_settings.setenv("CURL_CA_BUNDLE", str(tmp_path))
    kw = PooledTransport()._manager("https://x.example/a").connection_pool_kw
    assert kw["ca_cert_dir"] == str(tmp_path) and "ca_certs" not in kw


def test_without_a_bundle_tls_is_verified_against_certifis(no_settings) -> None:
    kw = PooledTransport()._manager("https://x.example/a").connection_pool_kw
    assert kw["ca_certs"] == certifi.where() and kw["cert_reqs"] == "CERT_REQUIRED"


def test_the_environment_is_read_once_per_host_not_per_call(no_settings) -> None:
    reads: list[str] = []
    real = transport_module.getproxies
    no_settings.setattr(transport_module, "getproxies", lambda: (reads.append("read"), real())[1])
    pooled = PooledTransport()
    managers = {
        id(pooled._manager(f"https://api-na.myconnectwise.net/v4_6_release/apis/3.0/finance/agreements/{n}"))
        for n in range(50)
    }
    managers.add(id(pooled._manager("https://webservices5.autotask.net/atservicesrest/v1.0/Contracts/query")))
    assert len(reads) == 2
    assert len(managers) == 1  # two hosts with the same settings share one pool manager


def test_a_link_header_gives_each_relation_its_url() -> None:
    header = '<https://x.example/a?page=2&conditions=id in (1,2)>; rel="next", <https://x.example/a?page=9>; rel=last'
    links = Response.of(200, b"[]", {"link": header}).links
    assert links == {"next": "https://x.example/a?page=2&conditions=id in (1,2)", "last": "https://x.example/a?page=9"}
    assert Response.of(200, b"[]").links == {}


def test_text_is_read_in_the_charset_the_answer_names_else_utf8() -> None:
    assert Response.of(200, "Zoë".encode("latin-1"), {"Content-Type": "text/plain; charset=ISO-8859-1"}).text == "Zoë"
    assert Response.of(200, "Zoë".encode(), {"Content-Type": "application/json"}).text == "Zoë"
    assert Response.of(200, b"\xff", {"Content-Type": "text/plain; charset=klingon"}).text == "\ufffd"


class _Redirecting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    calls: list[str] = []  # noqa: RUF012 (one server per test, reset by the fixture)

    def do_GET(self) -> None:
        type(self).calls.append(self.path)
        self.send_response(302)
        self.send_header("Location", "https://user:hunter2@login.example/sso?token=abc123#access_token=s3cr3t")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    _Redirecting.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    server.daemon_threads = True  # the client keeps its connection open
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed_and_says_where_it_pointed(redirecting, no_settings) -> None:
    client = HttpClient(redirecting)
    with pytest.raises(ProviderError) as raised:
        client.read("GET", "/apis/3.0/company/companies?pageSize=10")
    message = str(raised.value)
    assert "HTTP 302" in message and "https://login.example/sso" in message and "check the base URL" in message
    for secret in ("abc123", "hunter2", "s3cr3t", "user"):  # query, password, fragment, user
        assert secret not in message
    assert _Redirecting.calls == ["/apis/3.0/company/companies?pageSize=10"]  # sent once, not followed


def test_a_port_nobody_listens_on_is_could_not_connect_after_the_retries(no_settings) -> None:
    sleeps: list[float] = []
    listener = HTTPServer(("127.0.0.1", 0), _Redirecting)
    port = listener.server_address[1]
    listener.server_close()  # the port is free again: nothing listens
    client = HttpClient(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=3, backoff=0.5), sleep=sleeps.append)
    with pytest.raises(ProviderError, match="could not connect") as raised:
        client.read("GET", "/x")
    assert not isinstance(raised.value, UncertainWriteError)
    assert client.request_count == 3 and sleeps == [0.5, 1.0]


def _failing(error: Exception) -> FakeTransport:
    def answer(request):
        raise error

    return FakeTransport(answer)


@pytest.mark.parametrize(
    "error",
    [
        SSLError("EOF occurred in violation of protocol"),
        ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")),
        ReadTimeoutError(None, "/x", "read timed out"),  # type: ignore[arg-type]
    ],
    ids=["tls", "reset", "read-timeout"],
)
def test_a_read_is_retried_after_any_network_error_and_a_write_never_is(error) -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=2, backoff=0.5)
    reads = _failing(error)
    with pytest.raises(ProviderError):
        HttpClient("https://x.example", transport=reads, retry=policy, sleep=sleeps.append).read("GET", "/x")
    assert len(reads.sent) == 2 and sleeps == [0.5]
    writes = _failing(error)
    with pytest.raises(UncertainWriteError, match="may have been made"):
        HttpClient("https://x.example", transport=writes, retry=policy, sleep=sleeps.append).write(
            "POST", "/x", json={}
        )
    assert len(writes.sent) == 1


def test_a_write_that_could_not_connect_is_sent_again() -> None:
    sleeps: list[float] = []
    writes = _failing(NewConnectionError(None, "Connection refused"))  # type: ignore[arg-type]
    client = HttpClient("https://x.example", transport=writes, retry=RetryPolicy(attempts=2), sleep=sleeps.append)
    with pytest.raises(ProviderError, match="could not connect") as raised:
        client.write("POST", "/x", json={})
    assert not isinstance(raised.value, UncertainWriteError)
    assert len(writes.sent) == 2


def test_what_a_call_sends(no_settings) -> None:
    sent = FakeTransport(lambda request: (200, {}, {}))
    client = HttpClient("https://x.example/api", transport=sent)
    client.headers["Accept"] = "application/json"
    client.read("GET", "/items", params={"ids": ["1", "2"], "q": "a b"}, headers={"X-Call": "1"})
    client.write("POST", "/items", json={"amount": 1.5}, auth=("user", "pässword"))
    client.read("POST", "/token", data={"grant_type": "client_credentials"})
    get, post, form = sent.sent
    assert get.url == "https://x.example/api/items?ids=1&ids=2&q=a+b" and get.body is None
    assert get.headers["X-Call"] == "1" and get.headers["Accept"] == "application/json"
    assert get.headers["User-Agent"].startswith("ncesync")
    assert post.body == b'{"amount": 1.5}' and post.headers["Content-Type"] == "application/json"
    assert post.headers["Authorization"] == "Basic dXNlcjpw5HNzd29yZA=="  # Latin-1, as RFC 7617's default
    assert form.body == b"grant_type=client_credentials"
    assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_attempts_file_an_unknown_network_error_as_a_read_error() -> None:
    attempts = Attempts(RetryPolicy(attempts=3, backoff=0.5), write=False, method="GET", label="/x")
    assert attempts.after_error(SSLError("bad record mac")) == 0.5


def test_a_proxy_given_as_host_and_port_is_an_http_proxy(no_settings) -> None:
    no_settings.setenv("https_proxy", "proxy.corp:3128")
    assert proxy_for("https://x.example/a") == "http://proxy.corp:3128"
    manager = PooledTransport()._manager("https://x.example/a")
    assert isinstance(manager, urllib3.ProxyManager) and manager.proxy is not None
    assert manager.proxy.url == "http://proxy.corp:3128"


@pytest.mark.parametrize("base", ["ftp://x.example/api", "https:///api"])
def test_a_url_that_cannot_be_called_is_a_settings_error_and_is_not_retried(no_settings, base) -> None:
    sleeps: list[float] = []
    client = HttpClient(base, sleep=sleeps.append)
    for call in (client.read, client.write):
        with pytest.raises(ConfigError, match=r"cannot be called \(\w+\); check the endpoint"):
            call("POST", "/x", json={})
    assert sleeps == []


def test_a_ca_bundle_that_does_not_exist_is_a_settings_error(no_settings, tmp_path) -> None:
    no_settings.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match="REQUESTS_CA_BUNDLE names .*missing.pem, which does not exist"):
        HttpClient("https://x.example", sleep=lambda _: None).read("GET", "/x")


@pytest.mark.parametrize(
    ("status", "write", "uncertain"),
    [
        (303, True, True),
        (302, True, True),
        (301, True, True),
        (307, True, False),
        (308, True, False),
        (302, False, False),
    ],
)
def test_a_redirected_write_may_have_been_made_unless_the_status_says_it_was_not(status, write, uncertain) -> None:
    sent = FakeTransport(lambda request: (status, b"", {"Location": "/orders/123"}))
    client = HttpClient("https://x.example", transport=sent)
    with pytest.raises(ProviderError, match=f"HTTP {status}, the server sends this call to /orders/123") as raised:
        (client.write if write else client.read)("POST", "/orders", json={})
    assert isinstance(raised.value, UncertainWriteError) is uncertain
    assert len(sent.sent) == 1


def test_a_3xx_without_a_location_says_the_api_does_not_answer_so() -> None:
    sent = FakeTransport(lambda request: (304, b"", {}))
    with pytest.raises(ProviderError, match="HTTP 304, an answer the vendor's API does not give here"):
        HttpClient("https://x.example", transport=sent).read("GET", "/x")


def test_a_link_url_keeps_a_raw_greater_than_sign() -> None:
    header = '<https://h/apis/3.0/x?conditions=cancelledDate >= [2024-01-01]&page=2>; rel="next"'
    assert Response.of(200, b"[]", {"Link": header}).links == {
        "next": "https://h/apis/3.0/x?conditions=cancelledDate >= [2024-01-01]&page=2"
    }


def test_none_values_are_left_out_and_a_header_in_another_case_replaces_the_clients() -> None:
    sent = FakeTransport(lambda request: (200, {}, {}))
    client = HttpClient("https://x.example", transport=sent)
    client.read("GET", "/a", params={"page": 2, "conditions": None}, headers={"accept": "text/csv", "User-Agent": None})
    client.read("POST", "/token", data={"scope": ["a", "b"], "audience": None})
    get, form = sent.sent
    assert get.url == "https://x.example/a?page=2"
    assert (
        get.headers["Accept"] == "text/csv"
        and list(get.headers).count("accept") + list(get.headers).count("Accept") == 1
    )
    assert "User-Agent" not in get.headers
    assert form.body == b"scope=a&scope=b"


@pytest.mark.parametrize(
    ("secret", "words"),
    [("p€ssWORDxyz", "a character outside Latin-1"), ("pass\nWORDxyz", "a line break")],
    ids=["euro sign", "line break"],
)
def test_a_header_http_cannot_carry_is_a_settings_error_before_anything_is_sent(secret: str, words: str) -> None:
    """A credential pasted with a stray character failed with an internal error deep in
    http.client; the error names the header and what to check, never the value."""
    sent = FakeTransport(lambda request: (200, {}, {}))
    client = HttpClient("https://x.example", transport=sent)
    with pytest.raises(ConfigError, match=f"the Secret header of the request would carry {words}") as raised:
        client.read("GET", "/x", headers={"Secret": secret})
    assert secret not in str(raised.value) and sent.sent == []


def test_basic_auth_writes_credentials_latin_1_cannot_as_utf_8() -> None:
    from base64 import b64decode

    from providers.transport import basic_auth

    assert b64decode(basic_auth("ünïcode", "pässwörd")[6:]) == "ünïcode:pässwörd".encode("latin-1")
    assert b64decode(basic_auth("user", "p€ss")[6:]) == "user:p€ss".encode()
