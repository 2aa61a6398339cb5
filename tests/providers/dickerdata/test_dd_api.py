"""The Dicker Data API read, replayed from cassettes (record mode none: no network)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from providers.dickerdata.provider import DickerDataProvider, invoice_window
from providers.http import RetryPolicy
from reconciler.errors import SourceError
from reconciler.model import Scope

TENANT_A = "8a1f0c52-6d0e-4b7e-9a51-1f2c3d4e5f60"
TENANT_B = "3c9e7b21-0a4d-4f6b-8e2c-7d6a5b4c3d2e"
FULL = Scope(sync_date=date(2024, 6, 15))
BOTH = Scope(sync_date=date(2024, 6, 15), tenant_ids=frozenset({TENANT_A, TENANT_B}), full_run=False)


def _provider(make_client, transport="body", **kwargs) -> DickerDataProvider:
    return DickerDataProvider(client=make_client(transport, **kwargs))


def _by_id(inventory):
    return {s.subscription_id: s for s in inventory.subscriptions}


def test_full_run_exchanges_the_token_and_reads_every_tenant(dd_vcr, make_client):
    provider = _provider(make_client)
    with dd_vcr.use_cassette("key_exchange_full_run.yaml") as cassette:
        inventory = provider.read(FULL)
    assert cassette.all_played
    assert [c.tenant_id for c in inventory.customers] == sorted([TENANT_A, TENANT_B])
    assert {c.name for c in inventory.customers} == {"Contoso Pty Ltd", "Fabrikam Ltd"}
    subs = _by_id(inventory)
    assert len(subs) == 5
    premium = subs["a1111111-0000-4000-8000-000000000001"]
    assert premium.stock_code == "P1Y:CFQ7TTC0LCHC:0002:1:"
    assert premium.quantity == 12
    assert premium.billing_frequency == "monthly"
    assert premium.unit_cost == Decimal("33.0000")
    assert premium.unit_rrp == Decimal("39.6000")
    assert premium.term_end == date(2025, 3, 31)
    assert premium.next_billing_date == date(2024, 7, 1)
    assert premium.is_active


def test_unit_cost_is_per_month_whatever_the_billing_frequency(dd_vcr, make_client):
    with dd_vcr.use_cassette("key_exchange_full_run.yaml"):
        subs = _by_id(_provider(make_client).read(FULL))
    annual = subs["a1111111-0000-4000-8000-000000000002"]  # UnitPrice 72.00 per year (a JSON number)
    assert annual.billing_frequency == "annual"
    assert annual.unit_cost == Decimal("6.0000")
    assert annual.unit_rrp == Decimal("7.2000")
    triennial = subs["b2222222-0000-4000-8000-000000000001"]  # 259.20 per three years
    assert triennial.unit_cost == Decimal("7.2000")
    assert all(isinstance(s.unit_cost, Decimal) for s in subs.values())


def test_every_status_is_kept_upper_case_and_trials_are_flagged(dd_vcr, make_client):
    with dd_vcr.use_cassette("key_exchange_full_run.yaml"):
        subs = _by_id(_provider(make_client).read(FULL))
    suspended = subs["a1111111-0000-4000-8000-000000000003"]
    assert suspended.status == "SUSPENDED" and not suspended.is_active
    trial = subs["b2222222-0000-4000-8000-000000000002"]
    assert trial.is_trial and trial.is_active
    assert not subs["a1111111-0000-4000-8000-000000000001"].is_trial


def test_client_run_asks_once_per_tenant_in_scope(dd_vcr, make_client):
    provider = _provider(make_client)
    with dd_vcr.use_cassette("per_tenant.yaml") as cassette:
        inventory = provider.read(BOTH)
    assert cassette.all_played and cassette.play_count == 3  # one key, two tenants
    assert {s.tenant_id for s in inventory.subscriptions} == {TENANT_A, TENANT_B}
    assert provider.request_counts() == {
        "POST /api/AccessKeyRequest": 1,
        "POST /api/Subscriptions/GetSubscriptionDetails": 2,
    }


def test_client_run_refuses_an_answer_for_another_tenant(dd_vcr, make_client):
    only_a = Scope(sync_date=date(2024, 6, 15), tenant_ids=frozenset({TENANT_A}), full_run=False)
    # The full-run cassette answers for every tenant: as if the API ignored the filter.
    with (
        dd_vcr.use_cassette("key_exchange_full_run.yaml", match_on=["method", "path"]),
        pytest.raises(SourceError, match="the API did not apply the tenant filter"),
    ):
        _provider(make_client).read(only_a)


def test_key_is_cached_and_renewed_before_it_expires(dd_vcr, make_client, clock):
    client = make_client()
    with dd_vcr.use_cassette("key_refresh_on_expiry.yaml") as cassette:
        client.subscription_details(TENANT_A)  # key valid until 01:10, now 01:00
        clock.now += timedelta(minutes=9, seconds=30)  # inside the renewal margin
        client.subscription_details(TENANT_B)
    assert cassette.all_played
    assert client.request_counts()["POST /api/AccessKeyRequest"] == 2


def test_key_is_reused_while_fresh(dd_vcr, make_client, clock):
    client = make_client()
    with dd_vcr.use_cassette("per_tenant.yaml") as cassette:
        client.subscription_details(TENANT_A)
        clock.now += timedelta(minutes=30)  # the key lasts until 02:00
        client.subscription_details(TENANT_B)
    assert cassette.all_played
    assert client.request_counts()["POST /api/AccessKeyRequest"] == 1


@pytest.mark.parametrize("cassette_name", ["key_refresh_on_401.yaml", "key_refresh_on_denied.yaml"])
def test_refused_key_is_renewed_once_and_the_call_repeated(dd_vcr, make_client, cassette_name):
    provider = _provider(make_client)
    with dd_vcr.use_cassette(cassette_name) as cassette:
        inventory = provider.read(FULL)
    assert cassette.all_played
    assert len(inventory.subscriptions) == 5
    assert provider.request_counts()["POST /api/AccessKeyRequest"] == 2


def test_a_key_refused_twice_is_an_error_not_a_loop(dd_vcr, make_client):
    with dd_vcr.use_cassette("key_refused_twice.yaml") as cassette, pytest.raises(SourceError) as caught:
        _provider(make_client).read(FULL)
    assert cassette.all_played
    assert caught.value.status == 401
    assert "Dicker Data refused the credentials" in str(caught.value)
    assert "Authorization has been denied" in str(caught.value)


def test_a_denied_token_names_the_settings_to_check(dd_vcr, make_client):
    with dd_vcr.use_cassette("key_denied.yaml"), pytest.raises(SourceError) as caught:
        _provider(make_client).read(FULL)
    message = str(caught.value)
    assert "did not grant an access key (Status DENIED: Invalid access token for account)" in message
    assert "source.access_token" in message


def test_header_transport_reads_subscriptions_and_invoices(dd_vcr, make_client):
    provider = _provider(make_client, "header")
    scope = Scope(sync_date=date(2024, 6, 15), with_invoices=True)
    with dd_vcr.use_cassette("header_transport.yaml") as cassette:
        inventory = provider.read(scope)
    assert cassette.all_played
    assert len(inventory.subscriptions) == 5
    assert [i.number for i in inventory.invoices] == ["INV-1001", "INV-1002"]


def test_body_transport_cassette_does_not_match_header_requests(dd_vcr, make_client):
    # The matchers compare where the key travels: a body-transport recording refuses a
    # request that carries it in headers instead.
    with (
        dd_vcr.use_cassette("key_exchange_full_run.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException, match="dd_auth_headers differs"),
    ):
        _provider(make_client, "header").read(FULL)


def test_invoices_are_read_with_their_lines(dd_vcr, make_client):
    scope = Scope(sync_date=date(2024, 6, 15), with_invoices=True)
    with dd_vcr.use_cassette("invoices.yaml") as cassette:
        inventory = _provider(make_client).read(scope)
    assert cassette.all_played
    first, second = inventory.invoices
    assert (first.number, first.date) == ("INV-1001", date(2024, 6, 3))
    assert len(first.lines) == 3  # the freight line belongs to no subscription
    charge, refund, coterm = first.lines
    assert (charge.quantity, charge.line_amount) == (12, Decimal("396.00"))
    assert (refund.quantity, refund.line_amount) == (-2, Decimal("-25.54"))
    assert refund.usage_start == date(2024, 5, 20) and refund.usage_end == date(2024, 5, 31)
    assert (coterm.unit_price, coterm.cycle_unit_price) == (Decimal("100.39"), Decimal("152.67"))
    assert coterm.term_start == date(2024, 1, 19) and coterm.term_end == date(2024, 8, 31)
    assert second.lines[0].tenant_id == TENANT_B


def test_invoices_of_a_client_run_keep_only_its_lines(dd_vcr, make_client):
    scope = Scope(
        sync_date=date(2024, 6, 15),
        tenant_ids=frozenset({TENANT_B}),
        full_run=False,
        invoice_numbers=frozenset({"INV-1001", "INV-1002"}),
        with_invoices=True,
    )
    with dd_vcr.use_cassette("client_run_invoices.yaml") as cassette:
        inventory = _provider(make_client).read(scope)
    assert cassette.all_played  # named invoices are read directly, without the list
    assert {s.tenant_id for s in inventory.subscriptions} == {TENANT_B}
    (invoice,) = inventory.invoices  # INV-1001 bills only tenant A
    assert invoice.number == "INV-1002"
    assert [line.tenant_id for line in invoice.lines] == [TENANT_B]


def test_read_invoices_option_reads_them_on_every_run(dd_vcr, make_client):
    provider = DickerDataProvider(client=make_client(), read_invoices=True)
    with dd_vcr.use_cassette("invoices.yaml") as cassette:
        inventory = provider.read(FULL)
    assert cassette.all_played and len(inventory.invoices) == 2


def test_invoice_window_starts_on_the_first_of_the_previous_month():
    assert invoice_window(date(2024, 6, 15)) == (date(2024, 5, 1), date(2024, 6, 15))
    assert invoice_window(date(2024, 1, 2)) == (date(2023, 12, 1), date(2024, 1, 2))


def test_a_500_is_retried_and_the_read_succeeds(dd_vcr, make_client, sleeps):
    provider = _provider(make_client)
    with dd_vcr.use_cassette("retry_500.yaml") as cassette:
        inventory = provider.read(FULL)
    assert cassette.all_played
    assert len(inventory.subscriptions) == 5
    assert len(sleeps) == 1


def test_a_login_page_instead_of_json_is_a_clear_error(dd_vcr, make_client):
    with (
        dd_vcr.use_cassette("html_page.yaml"),
        pytest.raises(SourceError, match="answered with an HTML page instead of JSON"),
    ):
        _provider(make_client).read(FULL)


def test_an_html_error_page_is_summarised_not_dumped(dd_vcr, make_client):
    provider = _provider(make_client, retry=RetryPolicy(attempts=1))
    with dd_vcr.use_cassette("html_error_page.yaml"), pytest.raises(SourceError) as caught:
        provider.read(FULL)
    assert caught.value.status == 502
    assert "HTML page instead of JSON" in str(caught.value)
    assert "<h1>" not in str(caught.value)


@pytest.mark.parametrize(
    "cassette_name, expected",
    [
        ("truncated_json.yaml", "not valid JSON .* refusing to read it as zero seats"),
        ("no_out_list.yaml", "no 'Out' list; refusing to read it as zero seats"),
        (
            "bad_quantity.yaml",
            (
                "record 2 \\(SubscriptionId a1111111-0000-4000-8000-000000000002\\): "
                "field ConfirmedQuantity: '5.5' is not a whole number"
            ),
        ),
    ],
)
def test_a_damaged_answer_raises_and_never_reads_as_zero_seats(dd_vcr, make_client, cassette_name, expected):
    with dd_vcr.use_cassette(cassette_name), pytest.raises(SourceError, match=expected):
        _provider(make_client).read(FULL)


def test_an_account_without_subscriptions_reads_as_empty_for_the_guards(dd_vcr, make_client):
    # A well-formed empty answer is DD's word, not a failure: the plan's safety guard
    # (not the provider) decides whether zero seats may be applied.
    with dd_vcr.use_cassette("empty_account.yaml"):
        inventory = _provider(make_client).read(FULL)
    assert inventory.subscriptions == () and inventory.customers == ()
