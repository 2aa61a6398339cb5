"""The provider over replayed cassettes: a read into PsaState, each write, and its settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from providers.autotask.provider import AutotaskProvider
from reconciler.errors import ConfigError, ProviderError
from reconciler.model import ProviderConfig, Scope, UnitSpan
from reconciler.model.psa import CHARGE, MAIN
from reconciler.plan.change import Change
from reconciler.provider import ProviderContext
from tests.providers.autotask.conftest import CREDENTIALS

SCOPE = Scope(
    sync_date=date(2024, 6, 15),
    company_ids=frozenset({250, 251}),
    agreement_ids=frozenset({7001, 7002, 7003}),
    product_ids=frozenset({"9001", "9002"}),
)
KEY = "INV1002|S1|P1Y:CFQ7TTC0LCHC:0002|2024-06-01|2024-06-30|+"


def change(action: str, **fields) -> Change:
    base = {
        "client_id": "t-1",
        "client_name": "Contoso Ltd",
        "agreement_id": 7001,
        "product_id": "9001",
        "product_key": "m365-bp",
        "line_kind": MAIN,
        "reason": "test",
        "effective_date": "2024-07-11",
    }
    return Change(action=action, **{**base, **fields})


@pytest.fixture
def state(make_provider, at_vcr):
    provider = make_provider()
    with at_vcr.use_cassette("provider_read.yaml") as cassette:
        result = provider.read(SCOPE)
        assert cassette.all_played
    return result


def test_read_companies_and_contracts(state):
    assert state.companies == {250: "Contoso Ltd", 251: "Fabrikam Pty Ltd"}
    contoso, fabrikam, hours = (state.agreements[i] for i in (7001, 7002, 7003))
    assert (contoso.status, contoso.start_date, contoso.end_date) == ("Active", date(2024, 1, 1), date(2026, 12, 31))
    assert (contoso.period_months, contoso.billing_day, contoso.prorate) == (1, 1, None)
    assert contoso.posted_through == date(2024, 5, 31)  # the latest row with approveAndPostDate
    assert (fabrikam.status, fabrikam.period_months, fabrikam.billing_day) == ("Inactive", 12, 15)
    assert fabrikam.end_date is None and fabrikam.posted_through is None
    assert hours.status == "Active"  # not Recurring Service: kept as read, it simply has no lines


def test_read_contract_services_as_main_lines_with_their_unit_rows(state):
    bp = next(ln for ln in state.lines if ln.id == 31)
    assert (bp.kind, bp.agreement_id, bp.product_id) == (MAIN, 7001, "9001")
    assert bp.spans[0] == UnitSpan(date(2024, 5, 1), date(2024, 5, 31), 12, posted=True)
    assert bp.spans[-1] == UnitSpan(date(2024, 7, 11), date(2024, 7, 31), 15)
    assert (bp.units_on(date(2024, 6, 15)), bp.units_on(date(2024, 7, 11))) == (12, 15)
    assert (bp.unit_price, bp.unit_cost, bp.invoice_description) == (Decimal("36.3"), Decimal("30.25"), "M365 BP")
    exo = next(ln for ln in state.lines if ln.id == 32)
    assert exo.description == "Exchange seats" and exo.units_on(date(2024, 6, 15)) == 5


def test_read_charges_with_key_billed_flag_and_product_from_the_billing_code(state):
    charges = {ln.id: ln for ln in state.lines if ln.kind == CHARGE}
    copy, manual = charges[61], charges[62]
    assert copy.key == "INV1001|S1|P1Y:CFQ7TTC0LCHC:0002|2024-05-01|2024-05-31|+"
    assert copy.billed and copy.product_id == "9001"
    assert copy.spans == (UnitSpan(date(2024, 5, 1), date(2024, 5, 1), 12),)
    assert manual.key is None and not manual.billed and manual.product_id == ""


def test_read_catalog_and_requests_per_endpoint(state, make_provider, at_vcr):
    assert state.catalog["9001"].price == Decimal("36.3")
    assert state.catalog["9002"].cost == Decimal("5.4")
    assert state.catalog["9001"].id == 9001
    provider = make_provider()
    with at_vcr.use_cassette("provider_read.yaml"):
        provider.read(SCOPE)
    assert provider.request_counts() == {
        "GET /ThresholdInformation": 1,
        "POST /Companies/query": 1,
        "POST /ContractCharges/query": 1,
        "POST /ContractServiceUnits/query": 1,
        "POST /ContractServices/query": 1,
        "POST /Contracts/query": 1,
        "POST /Services/query": 1,
    }


def test_adjustment_then_description_patch_of_the_contract_service(make_provider, at_vcr):
    """Two changes, one write each: the adjustment, then the text of the contract service it
    may have created (found by contract and service, as the change has no line id yet)."""
    after = {
        "quantity": 3,
        "unit_price": "36.30",
        "unit_cost": "30.25",
        "effective_date": "2024-07-11",
        "service_id": 9001,
        "contract_id": 7001,
        "catalog_id": 9001,
        "units_in_force": 15,
    }
    provider = make_provider()
    with at_vcr.use_cassette("write_adjustment_and_description.yaml") as cassette:
        result = provider.write(change("create_adjustment", after=after))
        text = provider.write(
            change("update_line", after={"invoice_description": "Microsoft 365 Business Premium x 15"})
        )
        assert cassette.all_played
    assert result.record_id == 8801 and "+3 units from 2024-07-11" in result.detail
    assert text.detail == "contract service updated"


def test_update_line_patches_only_drifted_fields_cut_to_the_limit(make_provider, at_vcr):
    provider = make_provider()
    assert provider.capabilities.description_limit == 100
    after = {"unit_price": "38.50", "invoice_description": "D" * 140}
    with at_vcr.use_cassette("write_service_update.yaml") as cassette:
        result = provider.write(change("update_line", line_id=31, after=after))
        assert cassette.all_played
    assert result.record_id == 31


def test_charge_carries_the_marker_and_the_service_billing_code(make_provider, at_vcr):
    provider = make_provider()
    with at_vcr.use_cassette("provider_read.yaml"):
        provider.read(SCOPE)  # learns service 9001's billing code
    after = {
        "quantity": 12,
        "unit_price": "36.30",
        "unit_cost": "30.25",
        "effective_date": "2024-06-01",
        "name": "M365 BP June",
        "description": "Invoice INV1002 line",
    }
    with at_vcr.use_cassette("write_charge.yaml") as cassette:
        result = provider.write(change("create_charge", line_kind=CHARGE, key=KEY, after=after))
        assert cassette.all_played
    assert result.record_id == 63


def test_changes_autotask_cannot_make_are_refused(make_provider):
    with pytest.raises(ProviderError, match="cannot perform a set_quantity change"):
        make_provider().write(change("set_quantity", line_id=31, after={"quantity": 3}))
    with pytest.raises(ProviderError, match="cannot be written"):
        make_provider().write(change("create_adjustment", after={"unit_price": "1.00"}))


# -- settings ---------------------------------------------------------------------------

ENV = {
    "AT_USER": CREDENTIALS["username"],
    "AT_SECRET": CREDENTIALS["secret"],
    "AT_CODE": CREDENTIALS["integration_code"],
}
OPTIONS = {"username": "env:AT_USER", "secret": "env:AT_SECRET", "integration_code": "env:AT_CODE"}


def provider_from(options=None, endpoint="https://webservices.autotask.net", environ=ENV, **context):
    config = ProviderConfig("autotask", endpoint, {**OPTIONS, **(options or {})})
    return AutotaskProvider.from_config(config, ProviderContext(root=".", timezone="UTC", environ=environ, **context))


def test_from_config_resolves_env_references_and_defaults():
    provider = provider_from()
    client = provider.client
    assert client.headers["Secret"] == CREDENTIALS["secret"]
    assert client.headers["ApiIntegrationCode"] == CREDENTIALS["integration_code"]
    assert (client.parallelism, client.budget.limit, client.endpoint) == (3, 9000, "https://webservices.autotask.net")
    assert client.known_zone_url is None  # discovered on first use, not while building


def test_zone_url_setting_skips_discovery_and_names_the_tenant():
    provider = provider_from(
        {
            "zone_url": "https://webservices5.autotask.net/ATServicesRest/",
            "request_budget": 5000,
            "parallelism": 2,
            "timeout": 30,
        }
    )
    assert provider.client.known_zone_url == "https://webservices5.autotask.net/ATServicesRest"
    # the database (the API user's domain, hashed), not the zone URL nor the user name
    assert provider.tenant_key().startswith("autotask:") and "webservices5" not in provider.tenant_key()
    assert "contoso" not in provider.tenant_key()
    assert CREDENTIALS["secret"] not in provider.tenant_key() + str(provider.describe())
    assert (provider.client.budget.limit, provider.client.parallelism, provider.client.timeout) == (
        5000,
        2,
        (10.0, 30.0),
    )


def test_settings_errors_are_clear(caplog):
    with pytest.raises(ConfigError, match="AT_SECRET"):
        provider_from(environ={k: v for k, v in ENV.items() if k != "AT_SECRET"})
    with pytest.raises(ConfigError, match="psa.parallelism"):
        provider_from({"parallelism": "many"})
    assert provider_from({"parallelism": 4}).client.parallelism == 3  # capped, with a warning
    assert "parallelism=4 is above Autotask's limit of 3 requests at once; using 3" in caplog.text
    with pytest.raises(ConfigError, match="psa.request_budget"):
        provider_from({"request_budget": "lots"})
    with pytest.raises(ConfigError, match="no sandbox is running"):
        provider_from(endpoint="sandbox")
    with pytest.raises(ConfigError, match="neither 'sandbox' nor a URL"):
        provider_from(endpoint="webservices.autotask.net")


def test_an_endpoint_with_the_api_root_is_cut_back_to_the_host():
    provider = provider_from(endpoint="https://webservices.autotask.net/atservicesrest/v1.0")
    assert provider.client.endpoint == "https://webservices.autotask.net"
