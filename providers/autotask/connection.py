"""Where and as whom the Autotask provider connects, from the `psa` settings block.

`endpoint: sandbox` uses the embedded sandbox and its demo credentials; otherwise the
endpoint is the zone-discovery host (https://webservices.autotask.net, or http:// on a
loopback address for a sandbox served on this machine) and `username`, `secret` and
`integration_code` are `env:NAME` references resolved at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from providers.autotask.client import API_ROOT, DEFAULT_ENDPOINT
from providers.endpoint import endpoint_url, sandbox_endpoint
from reconciler.model import ProviderConfig
from reconciler.provider import ProviderContext
from reconciler.secrets import resolve


class Credentials(TypedDict):
    """Whom the client signs in as: its keyword arguments of the same names."""

    username: str
    secret: str
    integration_code: str


def _credentials(value: Callable[[str], str]) -> Credentials:
    """Each setting's value, asked for in this order (the first one missing is the one reported)."""
    return Credentials(username=value("username"), secret=value("secret"), integration_code=value("integration_code"))


def endpoint_and_credentials(config: ProviderConfig, context: ProviderContext) -> tuple[str, Credentials]:
    if config.is_sandbox:
        endpoint, sandbox = sandbox_endpoint(context, "autotask", "psa")
        return endpoint, _credentials(sandbox.__getitem__)
    endpoint = endpoint_url(
        config.endpoint or DEFAULT_ENDPOINT,
        setting="psa.endpoint",
        example=DEFAULT_ENDPOINT,
        expected="is neither 'sandbox' nor a URL like",
    )
    at = endpoint.lower().find(API_ROOT)
    if at >= 0:  # the API root was included: zone discovery adds it itself
        endpoint = endpoint[:at]
    credentials = _credentials(lambda key: resolve(config.options.get(key), context.environ, setting=f"psa.{key}"))
    return endpoint, credentials


def zone_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return endpoint_url(
        value,
        setting="psa.zone_url",
        example="https://webservices5.autotask.net/atservicesrest",
        expected="must be a URL like",
    )
