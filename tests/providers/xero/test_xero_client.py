"""The Xero client against the sandbox: the custom connection's token, the organisation's
id, Xero's call limits (429 with Retry-After, 60 a minute, 5,000 a day), paging and Xero's
own error text."""

from __future__ import annotations

import pytest

from providers.sandbox import Fault, SandboxServer
from providers.xero.limits import DayLimitReached
from providers.xero.provider import XeroProvider
from reconciler.errors import ProviderError
from tests.conftest import VirtualClock
from tests.providers.xero.conftest import TODAY, provider_for


def test_one_token_serves_the_calls_and_is_renewed_before_it_expires(
    provider: XeroProvider, sandbox: SandboxServer, virtual_clock: VirtualClock
) -> None:
    provider.client.items()
    provider.client.items()
    assert sandbox.xero_identity.issued == 1
    virtual_clock.sleep(1800 - 30)  # within a minute of the token's end
    provider.client.items()
    assert sandbox.xero_identity.issued == 2


def test_a_refused_token_is_replaced_once(provider: XeroProvider, sandbox: SandboxServer) -> None:
    provider.client.items()
    sandbox.xero_identity.expire_all()  # revoked, or the clocks disagree
    assert provider.client.items()
    assert sandbox.xero_identity.issued == 2
    assert sandbox.counts["GET xero /api.xro/2.0/Items"] == 3  # the 401, then the call again


def test_wrong_client_credentials_name_the_settings(sandbox: SandboxServer, tmp_path) -> None:
    from providers.xero.client import XeroClient

    client = XeroClient(
        f"{sandbox.url}/xero",
        client_id="someone-else",
        client_secret="nope",
        token_url=f"{sandbox.url}/xero/identity/connect/token",
    )
    with pytest.raises(ProviderError, match=r"client id or secret.*invalid_client.*psa\.client_id") as caught:
        client.items()
    assert caught.value.status == 401  # apply stops: nothing is written without credentials


def test_the_organisation_is_the_connections_one_unless_configured(sandbox: SandboxServer, tmp_path) -> None:
    provider_for(sandbox, tmp_path).client.items()
    assert sandbox.counts["GET xero /connections"] == 1
    sandbox.counts.reset()
    configured = provider_for(sandbox, tmp_path, tenant_id="5d4a1ba2-9c3e-4f6a-8e21-0c0ffee0a000")
    configured.client.items()
    assert sandbox.counts["GET xero /connections"] == 0
    wrong = provider_for(sandbox, tmp_path, tenant_id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(ProviderError, match=r"HTTP 403.*psa\.tenant_id"):
        wrong.client.items()


def test_a_429_is_waited_out_as_retry_after_asks(
    provider: XeroProvider, sandbox: SandboxServer, virtual_clock: VirtualClock
) -> None:
    sandbox.faults.add(
        Fault(kind="status", status=429, retry_after=7, times=2, vendor="xero", path_contains="/RepeatingInvoices")
    )
    assert provider.client.repeating_invoices()
    assert virtual_clock.waits.count(7) == 2


def test_no_more_than_60_calls_a_minute(
    provider: XeroProvider, sandbox: SandboxServer, virtual_clock: VirtualClock
) -> None:
    for _ in range(61):
        provider.client.items()
    assert sandbox.xero_limits.refused == 0  # Xero never had to refuse one
    assert sum(virtual_clock.waits) >= 59  # the 61st waited for the minute to roll on


def test_the_run_stops_before_the_daily_limit(provider: XeroProvider, sandbox: SandboxServer) -> None:
    sandbox.xero_limits.preset_day(TODAY, 5000 - 101)
    provider.client.items()  # Xero answers: 100 left, the reserve
    sent = sandbox.counts.total("xero")
    with pytest.raises(DayLimitReached, match="100 of the organisation's 5,000 API calls a day are left"):
        provider.client.items()
    assert sandbox.counts.total("xero") == sent  # not sent


def test_xero_refusing_a_day_past_the_limit_is_not_waited_for(provider: XeroProvider, sandbox: SandboxServer) -> None:
    sandbox.xero_limits.preset_day(TODAY, 5000)
    with pytest.raises(ProviderError, match=r"HTTP 429.*more than the 120 s ncesync waits"):
        provider.client.items()


def test_invoices_are_read_page_by_page(provider: XeroProvider, sandbox: SandboxServer) -> None:
    contact = sandbox.world()["xero"]["contacts"][0]["ContactID"]
    for n in range(5):
        provider.client.create_invoice(
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact},
                "Status": "DRAFT",
                "LineItems": [{"Description": f"line {n}", "Quantity": 1, "UnitAmount": 0}],
            }
        )
    provider.client.page_size = 2
    sandbox.counts.reset()
    found = provider.client.invoices_by_us(statuses=("DRAFT",), modified_since=None)
    assert len(found) == 5
    assert sandbox.counts["GET xero /api.xro/2.0/Invoices"] == 3


def test_validation_errors_are_reported_in_xeros_words(provider: XeroProvider, sandbox: SandboxServer) -> None:
    contact = sandbox.world()["xero"]["contacts"][0]["ContactID"]
    with pytest.raises(
        ProviderError, match=r"HTTP 400.*A validation exception occurred: Item code .NOPE. is not valid"
    ):
        provider.client.create_invoice(
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact},
                "LineItems": [{"ItemCode": "NOPE", "Quantity": 1, "UnitAmount": 5}],
            }
        )
