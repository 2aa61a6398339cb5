"""The sandbox's demo credentials: well known and not secret, like a vendor's test tenant.

Providers use them when a deployment says `endpoint: sandbox`, so they live beside both
rather than in the sandbox: a provider never imports the emulator. The sandbox checks
every request against them, so a provider that forgets a header fails here as it would at
the vendor.
"""

from __future__ import annotations

SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "connectwise": {
        "company_id": "sandbox",
        "public_key": "sandbox-public-key",
        "private_key": "sandbox-private-key",
        "client_id": "00000000-0000-4000-8000-00000000c0de",
    },
    "autotask": {
        "username": "sandbox-api@ncesync.example",
        "secret": "sandbox-secret",
        "integration_code": "NCESYNCSANDBOXCODE",
    },
    "xero": {
        "client_id": "SANDBOXXEROCLIENTID0000000000000",
        "client_secret": "sandbox-xero-client-secret",
        "tenant_id": "5d4a1ba2-9c3e-4f6a-8e21-0c0ffee0a000",
    },
    "dickerdata": {
        "account_code": "SANDBOX01",
        "access_token": "sandbox-access-token",
    },
}
