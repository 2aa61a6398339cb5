"""The `psa:` block of a Xero deployment: where to connect, as whom, and how lines are booked.

```yaml
psa:
  provider: xero
  endpoint: https://api.xero.com          # or `sandbox`
  client_id: env:XERO_CLIENT_ID           # the custom connection's
  client_secret: env:XERO_CLIENT_SECRET
  tenant_id: 2a5e...                      # optional: the organisation (Xero-Tenant-Id)
  account_code: "200"                     # optional: book every line ncesync writes here ...
  tax_type: OUTPUT2                       # ... with this tax type (default: the item's)
  items: {M365-BP: {account_code: "201"}} # optional: per item code
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.endpoint import endpoint_url, sandbox_endpoint
from providers.http import RetryPolicy
from providers.options import timeouts, whole_number
from providers.xero.auth import DEFAULT_TOKEN_URL
from providers.xero.client import DEFAULT_ENDPOINT, XeroClient
from providers.xero.limits import CONCURRENT, DEFAULT_RESERVE, PER_DAY, CallLimits
from providers.xero.mapping import ItemAccounts
from reconciler.model import ProviderConfig
from reconciler.provider import ProviderContext
from reconciler.secrets import resolve

_BOOKING = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"account_code": {"type": "string", "minLength": 1}, "tax_type": {"type": "string", "minLength": 1}},
}
SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["provider", "endpoint"],
    "additionalProperties": False,
    "properties": {
        "provider": {"const": "xero"},
        "endpoint": {"type": "string", "minLength": 1, "description": "sandbox, or https://api.xero.com"},
        "client_id": {"type": "string", "pattern": "^env:[A-Za-z_][A-Za-z0-9_]*$"},
        "client_secret": {"type": "string", "pattern": "^env:[A-Za-z_][A-Za-z0-9_]*$"},
        "token_url": {"type": "string", "minLength": 1},
        "tenant_id": {"type": "string", "pattern": "^[0-9A-Fa-f-]{36}$"},
        "scopes": {"type": "string", "minLength": 1},
        "account_code": {"type": "string", "minLength": 1},
        "tax_type": {"type": "string", "minLength": 1},
        "items": {"type": "object", "additionalProperties": _BOOKING},
        "line_amount_types": {"enum": ["Exclusive", "Inclusive", "NoTax"]},
        "day_limit_reserve": {"type": "integer", "minimum": 0, "maximum": PER_DAY},
        "charge_lookback_days": {"type": "integer", "minimum": 0},
        "parallelism": {"type": "integer", "minimum": 1, "maximum": CONCURRENT},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
    },
}


@dataclass(frozen=True)
class Booking:
    """Where lines are booked: the settings' overrides over each item's own sales details."""

    account_code: str | None = None
    tax_type: str | None = None
    items: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, code: str, item: ItemAccounts) -> ItemAccounts:
        own = self.items.get(code, {})
        return ItemAccounts(
            own.get("account_code") or self.account_code or item.account_code,
            own.get("tax_type") or self.tax_type or item.tax_type,
            item.name,
        )


def client_from_config(config: ProviderConfig, context: ProviderContext) -> XeroClient:
    options = config.options
    if config.is_sandbox:
        endpoint, demo = sandbox_endpoint(context, "xero", "psa")
        client_id, secret = demo["client_id"], demo["client_secret"]
        token_url = f"{endpoint}/identity/connect/token"
    else:
        endpoint = endpoint_url(
            config.endpoint or DEFAULT_ENDPOINT,
            setting="psa.endpoint",
            example=DEFAULT_ENDPOINT,
            expected="is neither 'sandbox' nor a URL like",
        )
        client_id = resolve(options.get("client_id"), context.environ, setting="psa.client_id")
        secret = resolve(options.get("client_secret"), context.environ, setting="psa.client_secret")
        token_url = endpoint_url(
            options.get("token_url") or DEFAULT_TOKEN_URL, setting="psa.token_url", example=DEFAULT_TOKEN_URL
        )
    reserve = whole_number(options.get("day_limit_reserve", DEFAULT_RESERVE), "psa.day_limit_reserve", minimum=0)
    parallel = whole_number(options.get("parallelism", CONCURRENT), "psa.parallelism", maximum=CONCURRENT)
    tenant = options.get("tenant_id")
    return XeroClient(
        endpoint,
        client_id=client_id,
        client_secret=secret,
        token_url=token_url,
        tenant_id=str(tenant) if tenant else None,
        scopes=options.get("scopes"),
        limits=CallLimits(concurrent=parallel, reserve=reserve),
        timeout=timeouts(options.get("timeout")),
        retry=RetryPolicy(),
    )


def credentials_source(config: ProviderConfig) -> str:
    """Where the client id and secret come from, in words: the variables the settings name."""
    if config.is_sandbox:
        return "the sandbox's demo client id and secret (providers/sandbox_credentials.py)"
    named = []
    for setting in ("client_id", "client_secret"):
        value = str(config.options.get(setting) or "")
        variable = value[len("env:") :] if value.startswith("env:") else ""
        named.append(f"the environment variable {variable} (psa.{setting})" if variable else f"psa.{setting}")
    return " and ".join(named)


def booking_from_config(config: ProviderConfig) -> Booking:
    options = config.options
    items = options.get("items") or {}
    return Booking(
        options.get("account_code"), options.get("tax_type"), {str(k): dict(v or {}) for k, v in items.items()}
    )
