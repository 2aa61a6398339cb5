"""Credentials go over https, or over plain http to this machine only (a sandbox served with
`ncesync sandbox serve`, a tunnel to a staging tenant)."""

from __future__ import annotations

import pytest

from providers.endpoint import allowed, endpoint_url
from reconciler.errors import ConfigError


@pytest.mark.parametrize(
    "url",
    [
        "https://api-na.myconnectwise.net",
        "https://10.0.0.5:8443/x",
        "http://127.0.0.1:8123/connectwise",
        "http://127.9.9.9",
        "http://localhost:80/autotask",
        "http://[::1]:5000/dickerdata",
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(url: str) -> None:
    assert allowed(url)
    assert endpoint_url(url + "/", setting="psa.endpoint", example="https://x") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://api-na.myconnectwise.net",
        "http://10.0.0.5:8080",
        "http://127.0.0.1.example.com",
        "http://localhost.example.com",
        "http://[::2]/",
        "http://192.168.1.10",
    ],
)
def test_plain_http_elsewhere_is_refused_naming_the_setting(url: str) -> None:
    assert not allowed(url)
    with pytest.raises(ConfigError, match=r"psa\.endpoint .*plain http:// is accepted for a loopback address only"):
        endpoint_url(url, setting="psa.endpoint", example="https://x")


def test_something_that_is_not_a_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="psa.zone_url 'webservices5' must be a URL like"):
        endpoint_url("webservices5", setting="psa.zone_url", example="https://w", expected="must be a URL like")
