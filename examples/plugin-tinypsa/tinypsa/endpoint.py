"""Where the TinyPSA token may be sent, and how long a call may take.

The token travels in every request, so the endpoint must be https, except on this machine
(127.0.0.0/8, ::1, localhost), where the emulator serves plain http. A plug-in does not
import ncesync's own providers, so this small check is its own.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import ConfigError
from reconciler.model.specs import SANDBOX

EXAMPLE = "https://tinypsa.example.com/api"


def base_url(value: object) -> str:
    """`psa.endpoint` as a base URL without a trailing slash; ConfigError naming it otherwise."""
    text = str(value or "").strip().rstrip("/")
    if text == SANDBOX:
        raise ConfigError(
            "psa.endpoint: TinyPSA is not emulated by ncesync's sandbox; start its emulator "
            "(tinypsa.emulator.TinyPsaEmulator) and give its URL"
        )
    parts = urlsplit(text)
    host = parts.hostname or ""
    if host and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))):
        return text
    if parts.scheme == "http" and host:
        raise ConfigError(
            f"psa.endpoint {value!r}: plain http:// is accepted for this machine only (127.0.0.1, "
            f"::1 or localhost), since the token travels in every request; use https:// like {EXAMPLE}"
        )
    raise ConfigError(f"psa.endpoint {value!r} is not a URL like {EXAMPLE}")


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def tenant(url: str) -> str:
    """One TinyPSA tenant however its URL is written (scheme, case, a trailing slash)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or url.lower()}{port}{parts.path.rstrip('/')}"


def timeouts(value: object) -> tuple[float, float]:
    """(connect, read) seconds from `psa.timeout` (default 30; connecting takes at most 5)."""
    if value is None:
        return 5.0, 30.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"psa.timeout {value!r}: expected a number of seconds above 0")
    return min(5.0, float(value)), float(value)
