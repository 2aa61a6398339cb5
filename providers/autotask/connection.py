"""Where and as whom the Autotask provider connects, from the `psa` settings block.

`endpoint: sandbox` uses the embedded sandbox and its demo credentials; otherwise the
endpoint is the zone-discovery host (https://webservices.autotask.net, or http:// on a
loopback address for a sandbox served on this machine) and `username`, `secret` and
`integration_code` are `env:NAME` references resolved at run time.
"""

from __future__ import annotations

from typing import Any

from providers.autotask.client import API_ROOT, DEFAULT_ENDPOINT
from providers.endpoint import endpoint_url, sandbox_endpoint
from reconciler.model import ProviderConfig
from reconciler.provider import ProviderContext
from reconciler.secrets import resolve

CREDENTIALS = ("username", "secret", "integration_code")


def endpoint_and_credentials(config: ProviderConfig, context: ProviderContext) -> tuple[str, dict[str, str]]:
    if config.is_sandbox:
        endpoint, sandbox = sandbox_endpoint(context, "autotask", "psa")
        return endpoint, {key: sandbox[key] for key in CREDENTIALS}
    endpoint = endpoint_url(
        config.endpoint or DEFAULT_ENDPOINT,
        setting="psa.endpoint",
        example=DEFAULT_ENDPOINT,
        expected="is neither 'sandbox' nor a URL like",
    )
    at = endpoint.lower().find(API_ROOT)
    if at >= 0:  # the API root was included: zone discovery adds it itself
        endpoint = endpoint[:at]
    credentials = {key: resolve(config.options.get(key), context.environ, setting=f"psa.{key}") for key in CREDENTIALS}
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
