"""The provider glue: a read becomes a PsaState, a Change becomes one POST or PATCH."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest

from providers.connectwise.provider import ConnectWiseProvider
from reconciler.errors import ConfigError, ProviderError
from reconciler.model import ProviderConfig, Scope
from reconciler.model.psa import CHARGE, DELTA, MAIN, UnitSpan
from reconciler.plan.change import Change
from reconciler.provider import ProviderContext

SITE = "https://api-na.myconnectwise.net"
CREDENTIALS = {"company_id": "contoso", "public_key": "pub", "private_key": "priv", "client_id": "cid"}
SCOPE = Scope(
    sync_date=date(2024, 6, 15),
    company_ids=frozenset({250, 251}),
    agreement_ids=frozenset({1001, 1002, 1003}),
    product_ids=frozenset({"M365-BP", "M365-BB"}),
)


@pytest.fixture
def provider(make_client):
    return ConnectWiseProvider(make_client(), site=SITE, company_id="contoso")


def change(action, *, agreement_id=1001, product_id="M365-BP", line_id=None, key=None, **after):
    return Change(
        action=action,
        client_id="tenant-1",
        client_name="Contoso Ltd",
        agreement_id=agreement_id,
        product_id=product_id,
        product_key="key",
        line_kind=MAIN,
        reason="test",
        effective_date="2024-06-15",
        line_id=line_id,
        after=after,
        key=key,
    )


# -- read ---------------------------------------------------------------------------------


def read(provider, cw_vcr):
    with cw_vcr.use_cassette("provider_read.yaml") as cassette:
        state = provider.read(SCOPE)
    assert cassette.all_played
    return state


def test_read_companies_and_agreements_a_missing_agreement_is_absent(provider, cw_vcr):
    state = read(provider, cw_vcr)
    assert state.companies == {250: "Contoso Ltd", 251: "Fabrikam Pty"}
    assert sorted(state.agreements) == [1001, 1002]
    contoso, fabrikam = state.agreements[1001], state.agreements[1002]
    assert (contoso.prorate, contoso.period_months, contoso.billing_day) == (False, 1, 15)
    assert (fabrikam.prorate, fabrikam.period_months, fabrikam.billing_day) == (True, 12, 1)
    assert contoso.company_id == 250 and contoso.is_active


def test_read_lines_of_mapped_products_with_their_kinds(provider, cw_vcr):
    state = read(provider, cw_vcr)
    kinds = {(ln.agreement_id, ln.id): ln.kind for ln in state.lines}
    assert kinds == {
        (1001, 5001): MAIN,
        (1001, 5002): MAIN,  # typed by hand: no marker, still a main line
        (1001, 5004): CHARGE,  # May's invoice copy: cancelled before the sync date, but kept
        (1002, 6001): MAIN,
        (1002, 6002): DELTA,
    }
    # 5003 is another product; 5005 is a delta cancelled before the sync date
    main = next(ln for ln in state.lines if ln.id == 5001)
    assert main.spans == (UnitSpan(date(2024, 5, 1), None, 12),)
    assert (main.unit_price, main.unit_cost) == (Decimal("20.0"), Decimal("15.0"))
    charge = next(ln for ln in state.lines if ln.id == 5004)
    assert charge.key == "INV-88412|2F29A1|P1Y:CFQ7TTC0LCHC:0002:1:|2024-05-01|2024-05-31|+"
    assert next(ln for ln in state.lines if ln.id == 6001).unit_price == Decimal("19.99")


def test_read_catalog_and_counts_requests_per_endpoint(provider, cw_vcr):
    state = read(provider, cw_vcr)
    assert {k: (v.id, v.price) for k, v in state.catalog.items()} == {
        "M365-BP": (700, Decimal("20.0")),
        "M365-BB": (701, Decimal("7.2")),
    }
    assert provider.request_counts() == {
        "GET /company/companies": 1,
        "GET /finance/agreements": 1,
        "GET /finance/agreements/{id}/additions": 2,
        "GET /procurement/catalog": 1,
    }


def test_a_scope_without_products_reads_no_additions(provider, make_client, fake_transport):
    transport = fake_transport(lambda request: (200, [], {}))
    provider = ConnectWiseProvider(make_client(transport=transport))
    state = provider.read(Scope(sync_date=date(2024, 6, 15), agreement_ids=frozenset({1001})))
    assert state.lines == () and state.catalog == {}
    assert provider.request_counts() == {"GET /finance/agreements": 1}


# -- write --------------------------------------------------------------------------------


def test_create_line_posts_a_main_addition(provider, cw_vcr):
    create = change(
        "create_line",
        product_id="M365-BB",
        quantity=5,
        unit_price="7.20",
        unit_cost="5.40",
        effective_date="2024-06-10",
        catalog_id=701,
        description="Microsoft 365 Business Basic",
        invoice_description="Microsoft 365 Business Basic x 5 (2024-06-10 to 2024-06-30)",
    )
    with cw_vcr.use_cassette("post_addition.yaml") as cassette:
        result = provider.write(create)
    assert result.record_id == 5010
    assert cassette.all_played


def test_create_delta_posts_a_signed_open_ended_addition(provider, cw_vcr):
    delta = change(
        "create_delta",
        agreement_id=1002,
        quantity=-2,
        unit_price="19.99",
        unit_cost="15.00",
        effective_date="2024-06-20",
        catalog_id=700,
        invoice_description="Microsoft 365 Business Premium -2 from 2024-06-20",
    )
    with cw_vcr.use_cassette("post_delta.yaml") as cassette:
        assert provider.write(delta).record_id == 6003
    assert cassette.all_played


def test_create_charge_posts_a_one_day_addition_with_its_key(provider, cw_vcr):
    charge = change(
        "create_charge",
        quantity=-1,
        unit_price="119.15",
        unit_cost="100.39",
        effective_date="2024-06-30",
        cancelled_date="2024-06-30",
        catalog_id=700,
        description="INV-88999 refund",
        invoice_description="Refund: Microsoft 365 Business Premium",
        key="INV-88412|2F29A1|P1Y:CFQ7TTC0LCHC:0002:1:|2024-05-01|2024-05-31|-",
    )
    with cw_vcr.use_cassette("post_charge.yaml") as cassette:
        assert provider.write(charge).record_id == 5011
    assert cassette.all_played


@pytest.mark.parametrize("action", ["set_quantity", "update_line"])
def test_updates_patch_the_addition(provider, cw_vcr, action):
    update = change(
        action,
        line_id=5001,
        quantity=15,
        unit_price="21.50",
        invoice_description="Microsoft 365 Business Premium x 15",
    )
    with cw_vcr.use_cassette("patch_addition.yaml") as cassette:
        assert provider.write(update).record_id == 5001
    assert cassette.all_played


def test_an_update_without_a_line_id_is_refused(provider):
    with pytest.raises(ProviderError, match="line_id"):
        provider.write(change("set_quantity", quantity=3))


def test_an_autotask_change_is_refused(provider):
    with pytest.raises(ProviderError, match="create_adjustment"):
        provider.write(change("create_adjustment", quantity=3))


def test_an_unknown_catalog_identifier_is_reported(make_client, fake_transport):
    transport = fake_transport(lambda request: (200, [], {}))
    provider = ConnectWiseProvider(make_client(transport=transport))
    with pytest.raises(ProviderError, match="no catalog item with identifier 'M365-XX'"):
        provider.write(change("create_line", product_id="M365-XX", quantity=1))
    assert [r.method for r in transport.sent] == ["GET"]  # looked up, nothing posted


def test_the_catalog_id_is_looked_up_when_the_change_lacks_it(make_client, fake_transport):
    def answer(request):
        if request.method == "GET":
            return 200, [{"id": 777, "identifier": "M365-BP", "description": "x", "price": 1}], {}
        return 201, {"id": 9001}, {}

    transport = fake_transport(answer)
    provider = ConnectWiseProvider(make_client(transport=transport))
    assert provider.write(change("create_line", quantity=2)).record_id == 9001
    assert b'"product": {"id": 777}' in transport.sent[1].body


# -- configuration ------------------------------------------------------------------------


def config(endpoint=SITE, **options):
    return ProviderConfig(name="connectwise", endpoint=endpoint, options=options)


def context(**environ):
    return ProviderContext(root=".", timezone="Pacific/Auckland", environ=environ)


def test_from_config_resolves_env_references_and_codebase():
    provider = ConnectWiseProvider.from_config(
        config(
            company_id="contoso",
            public_key="env:CW_PUBLIC",
            private_key="env:CW_PRIVATE",
            client_id="env:CW_CLIENT",
            codebase="v2025_1",
            parallelism=2,
            timeout=30,
        ),
        context(CW_PUBLIC="pub", CW_PRIVATE="priv", CW_CLIENT="cid"),
    )
    client = provider.client
    assert client.base_url == "https://api-na.myconnectwise.net/v2025_1/apis/3.0"
    assert client.headers["Authorization"] == "Basic " + base64.b64encode(b"contoso+pub:priv").decode()
    assert client.headers["clientId"] == "cid"
    assert (client.parallelism, client.timeout) == (2, (10.0, 30.0))
    assert provider.tenant_key().startswith("connectwise:api-na.myconnectwise.net:")
    assert "contoso" not in provider.tenant_key()  # the company id is a credential


def test_a_missing_env_variable_names_it():
    with pytest.raises(ConfigError, match="CW_PRIVATE"):
        ConnectWiseProvider.from_config(config(**{**CREDENTIALS, "private_key": "env:CW_PRIVATE"}), context())


def test_default_codebase_and_bad_endpoints():
    provider = ConnectWiseProvider.from_config(config(**CREDENTIALS), context())
    assert provider.client.base_url == f"{SITE}/v4_6_release/apis/3.0"
    with pytest.raises(ConfigError, match="site URL only"):
        ConnectWiseProvider.from_config(config(f"{SITE}/v4_6_release/apis/3.0", **CREDENTIALS), context())
    with pytest.raises(ConfigError, match="neither 'sandbox' nor a site URL"):
        ConnectWiseProvider.from_config(config("api-na.myconnectwise.net", **CREDENTIALS), context())
    with pytest.raises(ConfigError, match="no sandbox is running"):
        ConnectWiseProvider.from_config(config("sandbox"), context())
