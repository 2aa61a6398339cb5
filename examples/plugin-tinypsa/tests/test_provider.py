"""The TinyPSA provider against the emulator: read, each change kind, read again; what a
refused token, a refused write and a damaged record look like; paging; settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
from reconciler.errors import ConfigError, ProviderError, UncertainWriteError
from reconciler.model import Agreement, CatalogItem, PsaState, Scope
from reconciler.model.psa import DELTA, MAIN
from reconciler.plan.change import CREATE_CHARGE, CREATE_DELTA, CREATE_LINE, SET_QUANTITY, UPDATE_LINE, Change
from urllib3.exceptions import MaxRetryError, NewConnectionError

from tinypsa.client import TinyPsaClient
from tinypsa.emulator import TinyPsaEmulator
from tinypsa.provider import TinyPsaProvider

TOKEN = "tiny-token-5f2c9a"  # the emulator fixture's

Factory = Callable[..., TinyPsaProvider]
SCOPE = Scope(
    sync_date=date(2024, 6, 15),
    company_ids=frozenset({250}),
    agreement_ids=frozenset({1001}),
    product_ids=frozenset({"M365-BP", "EXO-P1"}),
)


def change(action: str, product: str = "M365-BP", *, line_id: int | None = None, **after: Any) -> Change:
    return Change(
        action=action,
        client_id="tenant-1",
        client_name="Contoso Ltd",
        agreement_id=1001,
        product_id=product,
        product_key=product.lower(),
        line_kind=DELTA if action == CREATE_DELTA else MAIN,
        reason="test",
        effective_date=str(after.get("effective_date", "2024-06-15")),
        line_id=line_id,
        after=after,
    )


def test_read_maps_plans_items_and_the_catalog(provider: TinyPsaProvider) -> None:
    state = provider.read(SCOPE)
    assert state.companies == {250: "Contoso Ltd"}
    assert state.agreements == {1001: Agreement(1001, 250, "Contoso licences", "Active", start_date=date(2024, 1, 1))}
    (line,) = state.lines
    assert (line.agreement_id, line.product_id, line.kind, line.units_on(date(2024, 6, 15))) == (
        1001,
        "M365-BP",
        MAIN,
        12,
    )
    assert (line.unit_price, line.unit_cost, line.invoice_description) == (
        Decimal("20.00"),
        Decimal("15.00"),
        "Business Premium",
    )
    assert state.catalog["EXO-P1"] == CatalogItem(
        "EXO-P1", 12, "Exchange Online (Plan 1)", Decimal("6.50"), Decimal("4.00")
    )


def test_each_change_kind_is_written_and_read_back(provider: TinyPsaProvider, emulator: TinyPsaEmulator) -> None:
    main = provider.read(SCOPE).lines[0]
    created = provider.write(
        change(
            CREATE_LINE,
            "EXO-P1",
            quantity=5,
            unit_price="6.50",
            unit_cost="4.00",
            effective_date="2024-06-15",
            catalog_id=12,
            invoice_description="Exchange x 5",
        )
    )
    provider.write(change(SET_QUANTITY, line_id=main.id, quantity=15, unit_cost="15.50"))
    emulator.set_today(date(2024, 6, 20))
    delta = provider.write(
        change(
            CREATE_DELTA,
            quantity=-2,
            unit_price="20.00",
            unit_cost="15.50",
            effective_date="2024-06-20",
            catalog_id=11,
            units_in_force=13,
        )
    )
    updated = provider.write(change(UPDATE_LINE, line_id=main.id, unit_price="21.00", invoice_description="BP"))
    assert updated.detail == f"item {main.id} updated: unit_price, invoice_text"

    state = provider.read(SCOPE)
    exo = state.lines_of(1001, "EXO-P1")
    assert [(ln.id, ln.kind, ln.effective_date, ln.units_on(date(2024, 6, 15))) for ln in exo] == [
        (created.record_id, MAIN, date(2024, 6, 15), 5)
    ]
    assert exo[0].invoice_description == "Exchange x 5"
    lines = {ln.id: ln for ln in state.lines_of(1001, "M365-BP")}
    assert (lines[main.id].units_on(date(2024, 6, 15)), lines[main.id].unit_price, lines[main.id].unit_cost) == (
        15,
        Decimal("21.00"),
        Decimal("15.50"),
    )
    assert (lines[delta.record_id].kind, lines[delta.record_id].effective_date) == (DELTA, date(2024, 6, 20))
    assert sum(ln.units_on(date(2024, 6, 20)) for ln in lines.values()) == 13
    assert emulator.items[main.id].history == ((date(2024, 4, 30), 12), (date(2024, 6, 15), 15))


def test_a_rejected_token_names_the_setting_and_not_the_token(
    emulator: TinyPsaEmulator, make_provider: Factory
) -> None:
    provider = make_provider(emulator.url, {"TINYPSA_TOKEN": "expired-token-0001"})
    with pytest.raises(ProviderError) as raised:
        provider.read(SCOPE)
    assert raised.value.status == 401
    assert str(raised.value) == (
        "TinyPSA GET /companies: HTTP 401, TinyPSA rejected the token; check psa.token (the environment "
        "variable TINYPSA_TOKEN): missing or invalid bearer token"
    )
    assert "expired-token-0001" not in str(raised.value)


def test_a_token_variable_that_is_not_set_is_named(emulator: TinyPsaEmulator, make_provider: Factory) -> None:
    with pytest.raises(
        ConfigError, match=r"psa\.token refers to the environment variable TINYPSA_TOKEN, which is not set"
    ):
        make_provider(emulator.url, {})


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://tinypsa.example.com/api", "plain http:// is accepted for this machine only"),
        ("sandbox", "TinyPSA is not emulated by ncesync's sandbox"),
        ("tinypsa.example.com", "is not a URL like https://tinypsa.example.com/api"),
    ],
)
def test_an_endpoint_the_token_must_not_travel_to_is_refused(
    endpoint: str, message: str, make_provider: Factory
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_provider(endpoint)


def test_https_anywhere_and_plain_http_on_this_machine_are_accepted(make_provider: Factory) -> None:
    for endpoint in ("https://tinypsa.example.com/api/", "http://localhost:8080", "http://[::1]:9000"):
        assert make_provider(endpoint).endpoint == endpoint.rstrip("/")


def test_reads_follow_every_page(emulator: TinyPsaEmulator, make_provider: Factory) -> None:
    for day in range(2, 9):
        emulator.add_item(
            1001, "M365-BP", 1, kind="delta", effective_date=date(2024, 6, day), recorded_on=date(2024, 6, day)
        )
    provider = make_provider(emulator.url)
    provider.client.per_page = 3
    state = provider.read(SCOPE)
    assert sum(ln.units_on(date(2024, 6, 15)) for ln in state.lines) == 12 + 7
    assert provider.request_counts()["GET /items"] == 3  # 8 items, 3 a page


def test_a_refused_write_carries_the_vendors_message(provider: TinyPsaProvider, emulator: TinyPsaEmulator) -> None:
    emulator.fail_write(1)
    with pytest.raises(ProviderError) as raised:
        provider.write(change(SET_QUANTITY, line_id=emulator.items_of(1001, "M365-BP")[0].id, quantity=15))
    assert raised.value.status == 500
    assert raised.value.vendor_message == "TinyPSA could not save the change, try again later"
    assert "PATCH /items/{id}: HTTP 500" in str(raised.value)


def test_a_change_tinypsa_does_not_take_is_refused(provider: TinyPsaProvider) -> None:
    with pytest.raises(ProviderError, match="TinyPSA cannot perform a create_charge change"):
        provider.write(change(CREATE_CHARGE, quantity=1))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ({"kind": "bundle"}, "field kind: unknown kind 'bundle' (expected main or delta)"),
        ({"unit_price": Decimal("NaN")}, "field unit_price: expected an amount like \"20.00\", got 'NaN'"),
        ({"quantity": None}, "field quantity: missing or null"),
    ],
)
def test_a_damaged_item_stops_only_the_licences_it_belongs_to(
    provider: TinyPsaProvider, emulator: TinyPsaEmulator, damage: dict[str, Any], problem: str
) -> None:
    broken = emulator.add_item(1001, "EXO-P1", 3, effective_date=date(2024, 5, 1), recorded_on=date(2024, 4, 30))
    emulator.items[broken.id] = replace(broken, **damage)  # what this provider cannot read as seats or money
    state: PsaState = provider.read(SCOPE)
    (damaged,) = state.unreadable
    assert damaged.message == f"TinyPSA item {broken.id}: {problem}"
    assert damaged.affects(1001, "EXO-P1") and not damaged.affects(1001, "M365-BP")
    assert [ln.product_id for ln in state.lines] == ["M365-BP"]


def test_the_apply_lock_is_per_tinypsa_tenant_however_its_url_is_written(make_provider: Factory) -> None:
    keys = {
        make_provider(url).tenant_key()
        for url in ("https://TinyPSA.example.com/api/", "https://tinypsa.example.com/api")
    }
    assert keys == {"tinypsa:tinypsa.example.com/api"}
    assert make_provider("https://other.example.com/api").tenant_key() != keys.pop()


def test_doctor_reports_a_rejected_token_and_unmapped_records_as_failed_checks(
    emulator: TinyPsaEmulator, make_provider: Factory
) -> None:
    (refused,) = make_provider(emulator.url, {"TINYPSA_TOKEN": "expired-token-0001"}).diagnose(SCOPE)
    assert (refused.ok, refused.fix) == (
        False,
        "issue a new API token in TinyPSA and set psa.token (the environment variable TINYPSA_TOKEN)",
    )
    emulator.add_plan(1002, 250, start_date=date(2024, 1, 1), status="paused")
    wider = replace(SCOPE, agreement_ids=frozenset({1001, 1002, 1003}), product_ids=frozenset({"M365-BP", "TEAMS"}))
    checks = {c.name: c for c in make_provider(emulator.url).diagnose(wider)}
    assert checks["tinypsa read"].ok
    assert checks["tinypsa plans"].detail == "not found: 1003; not active: 1002"
    assert checks["tinypsa catalog"].detail == "codes not in the catalog: TEAMS"


def test_automap_lists_every_company_with_its_active_plans(
    provider: TinyPsaProvider, emulator: TinyPsaEmulator
) -> None:
    emulator.add_company(251, "Fabrikam Pty Ltd")
    emulator.add_plan(1002, 251, start_date=date(2024, 1, 1), status="closed")
    companies = provider.companies()
    assert [(c.id, c.name, [a.id for a in c.agreements]) for c in companies.values()] == [
        (250, "Contoso Ltd", [1001]),
        (251, "Fabrikam Pty Ltd", []),
    ]


class AnsweringSession(requests.Session):
    """A session whose every request gets `outcome`: a (status, body) answer, or an exception."""

    def __init__(self, outcome: Any):
        super().__init__()
        self.outcome = outcome

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        response = requests.Response()
        response.status_code, response._content = self.outcome
        return response


@pytest.mark.parametrize(
    ("outcome", "uncertain", "message"),
    [
        ((201, b'{"created": true}'), True, "the answer has no record id"),
        ((504, b"<html>gateway timeout</html>"), True, "HTTP 504, TinyPSA failed"),
        (requests.ReadTimeout("read timed out"), True, "no answer (ReadTimeout); the write may have been made"),
        (
            requests.ConnectionError(MaxRetryError(None, "/plans/1001/items", NewConnectionError(None, "refused"))),
            False,
            "could not connect (ConnectionError)",
        ),
    ],
)
def test_a_write_whose_outcome_is_unknown_is_never_reported_as_failed(
    outcome: Any, uncertain: bool, message: str
) -> None:
    client = TinyPsaClient("https://tinypsa.example.com/api", TOKEN, session=AnsweringSession(outcome))
    provider = TinyPsaProvider(client, endpoint=client.base_url)
    with pytest.raises(ProviderError, match=re.escape(message)) as raised:
        provider.write(change(CREATE_LINE, quantity=5, unit_price="20.00", effective_date="2024-06-15"))
    assert isinstance(raised.value, UncertainWriteError) is uncertain
