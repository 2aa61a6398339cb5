"""Where a provider may send credentials: https anywhere, plain http to this machine only;
and where the embedded sandbox answers for `endpoint: sandbox`.

A sandbox served on this machine (`ncesync sandbox serve`), or a staging copy reached
through a local tunnel, listens on a loopback address without TLS. Every other endpoint
must be https: the API keys travel in every request.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from providers.sandbox_credentials import SANDBOX_CREDENTIALS
from reconciler.errors import ConfigError
from reconciler.provider import ProviderContext

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or `localhost`."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed(url: str) -> bool:
    """True when credentials may be sent to `url`."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if not host:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))


def endpoint_url(value: object, *, setting: str, example: str, expected: str = "is not a URL like") -> str:
    """`value` as a base URL (no trailing slash) if credentials may go there; ConfigError
    naming the setting otherwise (`{setting} {value!r} {expected} {example}`)."""
    text = str(value or "").strip().rstrip("/")
    if allowed(text):
        return text
    if urlsplit(text).scheme == "http":
        raise ConfigError(
            f"{setting} {value!r}: plain http:// is accepted for a loopback address only "
            f"(127.0.0.1, ::1 or localhost, such as `ncesync sandbox serve`); use https:// like {example}"
        )
    raise ConfigError(f"{setting} {value!r} {expected} {example}")


def sandbox_endpoint(context: ProviderContext, vendor: str, block: str) -> tuple[str, dict[str, str]]:
    """Base URL and credentials of `vendor` in the embedded sandbox, for `endpoint: sandbox`.

    The sandbox's demo credentials are not secrets; real endpoints resolve `env:` references.
    """
    if not context.sandbox_url:
        raise ConfigError(f"{block}.endpoint is sandbox but no sandbox is running")
    return f"{context.sandbox_url.rstrip('/')}/{vendor}", dict(SANDBOX_CREDENTIALS[vendor])
