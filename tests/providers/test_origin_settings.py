"""The vendor clients read proxy, CA bundle and .netrc settings once per host, as requests
would have read them on every call."""

from __future__ import annotations

import requests
import requests.utils

from providers import origin_settings
from providers.http import HttpClient
from providers.origin_settings import OriginSettings


def test_proxies_come_from_the_environment_and_no_proxy_is_respected(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    settings = OriginSettings(requests.Session())
    proxies = settings.of("https://api-na.myconnectwise.net/v4_6_release/apis/3.0/x")["proxies"]
    assert proxies["https"] == "http://proxy.example:3128"
    assert settings.of("https://internal.example/atservicesrest/v1.0/x")["proxies"] == {}


def test_a_ca_bundle_from_the_environment_is_used(monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/msp-bundle.pem")
    assert OriginSettings(requests.Session()).of("https://x.example/a")["verify"] == "/etc/ssl/msp-bundle.pem"


def test_the_environment_is_read_once_per_host_not_per_call(monkeypatch) -> None:
    reads: list[str] = []
    real = requests.utils.get_environ_proxies
    monkeypatch.setattr(origin_settings, "get_environ_proxies", lambda url: (reads.append(url), real(url))[1])
    settings = OriginSettings(requests.Session())
    for page in range(50):
        settings.of(f"https://api-na.myconnectwise.net/v4_6_release/apis/3.0/finance/agreements/{page}/additions")
    settings.of("https://webservices5.autotask.net/atservicesrest/v1.0/Contracts/query")
    assert len(reads) == 2


def test_a_client_with_its_own_session_stops_the_session_scanning_the_environment() -> None:
    client = HttpClient("https://x.example")
    assert client.session.trust_env is False
    handed_in = requests.Session()
    assert HttpClient("https://x.example", session=handed_in).session.trust_env is True


def test_a_ca_bundle_is_not_handed_to_a_plain_http_call(monkeypatch) -> None:
    """No TLS, nothing to verify: requests would only stat the bundle's path on every call."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/msp-bundle.pem")
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert "verify" not in OriginSettings(requests.Session()).of("http://127.0.0.1:8080/connectwise/x")


def test_a_ca_bundle_goes_with_a_plain_call_through_an_https_proxy(monkeypatch) -> None:
    """The proxy's own certificate is checked against the bundle."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/msp-bundle.pem")
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example:3129")
    monkeypatch.setenv("http_proxy", "https://proxy.example:3129")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    settings = OriginSettings(requests.Session()).of("http://psa.example/x")
    assert settings["verify"] == "/etc/ssl/msp-bundle.pem"
