"""Property tests: the PSA parsers read whatever a real tenant may send, records generated
from the vendors' schemas with random nulls, extra members and odd values. A record is
either read or refused with the provider's own error naming it; never a bare
ValueError/KeyError/TypeError, and a read never loses a record silently."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.autotask import mapping as at
from providers.autotask.provider import AutotaskProvider
from providers.connectwise import mapping as cw
from providers.connectwise.provider import ConnectWiseProvider
from reconciler.errors import ProviderError
from reconciler.model import PsaLine, Scope
from tests.contract import openapi
from tests.contract.records import records

CW = openapi.connectwise()
AT = openapi.autotask()
IDS = st.integers(min_value=1, max_value=3)
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SYDNEY = ZoneInfo("Australia/Sydney")


def read_or_refuse(parse: Any, *args: Any, **kwargs: Any) -> Any:
    """The parser's result, or None when it refused with ProviderError naming the record."""
    try:
        return parse(*args, **kwargs)
    except ProviderError as exc:
        assert str(exc).startswith(("ConnectWise ", "Autotask ")), exc
        return None


@PROPERTY
@given(records(CW, "Agreement"))
def test_connectwise_agreements(record: dict) -> None:
    agreement = read_or_refuse(cw.agreement_from_json, record)
    if agreement is not None:
        assert agreement.status in cw.AGREEMENT_STATUSES and isinstance(agreement.prorate, bool)
        assert agreement.period_months in (1, 3, 6, 12)


@PROPERTY
@given(records(CW, "Addition"), IDS)
def test_connectwise_additions(record: dict, agreement_id: int) -> None:
    line = read_or_refuse(cw.line_from_json, record, agreement_id)
    if line is not None:
        assert isinstance(line, PsaLine) and line.spans[0].units == int(line.spans[0].units)


@PROPERTY
@given(records(CW, "CatalogItem"))
def test_connectwise_catalog_items(record: dict) -> None:
    read_or_refuse(cw.catalog_item_from_json, record)


@PROPERTY
@given(st.lists(records(CW, "Company"), max_size=3))
def test_connectwise_companies(companies: list) -> None:
    read_or_refuse(cw.companies_from_json, companies)


@PROPERTY
@given(records(AT, "ContractModel"))
def test_autotask_contracts(record: dict) -> None:
    contract = read_or_refuse(at.agreement_from_json, record, zone=SYDNEY)
    if contract is not None:
        assert contract.status in ("Active", "Inactive") and contract.period_months in (1, 3, 6, 12)


@PROPERTY
@given(records(AT, "ContractServiceModel"), st.lists(records(AT, "ContractServiceUnitModel"), max_size=3))
def test_autotask_contract_services_and_their_unit_rows(service: dict, rows: list) -> None:
    read_or_refuse(at.line_from_json, service, rows, zone=SYDNEY, rows_from=date(2024, 1, 1))
    read_or_refuse(at.posted_through, rows, zone=SYDNEY)


@PROPERTY
@given(
    records(AT, "ContractChargeModel"), records(AT, "ServiceModel"), st.lists(records(AT, "CompanyModel"), max_size=2)
)
def test_autotask_charges_services_and_companies(charge: dict, service: dict, companies: list) -> None:
    read_or_refuse(at.charge_from_json, charge, "9001", zone=SYDNEY)
    read_or_refuse(at.catalog_item_from_json, service)
    read_or_refuse(at.companies_from_json, companies)


# -- whole reads: per-record refusals stay per record --------------------------------------


SCOPE = Scope(
    sync_date=date(2024, 6, 15),
    company_ids=frozenset({1, 2}),
    agreement_ids=frozenset({1, 2, 3}),
    product_ids=frozenset({"A", "B"}),
)


class CwClient:
    def __init__(self, agreements: list, additions: list, catalog: list):
        self._agreements, self._additions, self._catalog = agreements, additions, catalog

    def companies(self, ids: Any) -> list:
        return [{"id": i, "name": f"Company {i}"} for i in sorted(ids)]

    def agreements(self, ids: Any) -> list:
        return self._agreements

    def additions_of(self, ids: Any, *, since: date) -> dict:
        return {i: [a for n, a in enumerate(self._additions) if n % 3 + 1 == i] for i in ids}

    def catalog_items(self, ids: Any) -> list:
        return self._catalog

    def request_counts(self) -> dict:
        return {}


@PROPERTY
@given(
    st.lists(records(CW, "Agreement", fixed={"id": IDS}), max_size=3),
    st.lists(
        records(
            CW, "Addition", fixed={"product": st.fixed_dictionaries({"identifier": st.sampled_from(["A", "B", None])})}
        ),
        max_size=4,
    ),
    st.lists(records(CW, "CatalogItem", fixed={"identifier": st.sampled_from(["A", "B"])}), max_size=2),
)
def test_a_connectwise_read_sets_unreadable_records_aside_per_licence(
    agreements: list, additions: list, catalog: list
) -> None:
    provider = ConnectWiseProvider(CwClient(agreements, additions, catalog))  # type: ignore[arg-type]
    state = provider.read(SCOPE)
    read = {a["id"] for a in agreements} & set(state.agreements)
    refused = {u.agreement_id for u in state.unreadable if u.product_id is None}
    assert {a["id"] for a in agreements} <= read | refused | {u.agreement_id for u in state.unreadable}
    for item in catalog:  # each catalog item is read or named as unreadable
        assert item["identifier"] in state.catalog or any(u.product_id == item["identifier"] for u in state.unreadable)


class AtClient:
    parallelism = 1

    def __init__(self, found: dict[str, list]):
        self.found = found

    def gather(self, calls: dict) -> dict:
        return {name: call() for name, call in calls.items()}

    def query_in(self, entity: str, field: str, values: Any, *, also: Any = (), include_fields: Any = ()) -> list:
        return self.found.get(entity, [])

    def query(self, entity: str, filters: Any, *, include_fields: Any = ()) -> list:
        return self.found.get(entity, [])


@PROPERTY
@given(
    st.lists(records(AT, "ContractModel", fixed={"id": IDS}), max_size=3),
    st.lists(records(AT, "ContractServiceModel", fixed={"contractID": IDS}), max_size=3),
    st.lists(records(AT, "ContractServiceUnitModel", fixed={"contractID": IDS}), max_size=3),
    st.lists(records(AT, "ContractChargeModel", fixed={"contractID": IDS}), max_size=2),
)
def test_an_autotask_read_sets_unreadable_records_aside_per_licence(
    contracts: list, services: list, units: list, charges: list
) -> None:
    client = AtClient(
        {
            "Contracts": contracts,
            "ContractServices": services,
            "ContractServiceUnits": units,
            "ContractCharges": charges,
            "Companies": [{"id": 1, "companyName": "C"}],
        }
    )
    provider = AutotaskProvider(client, zone=SYDNEY)  # type: ignore[arg-type]
    try:
        state = provider.read(SCOPE)
    except ProviderError as exc:  # only a record tied to no contract and no service ends a read
        assert "refusing to guess" in str(exc) or "field" in str(exc)
        return
    for contract in contracts:
        assert contract["id"] in state.agreements or any(u.agreement_id == contract["id"] for u in state.unreadable)


@pytest.mark.parametrize("period", [0, 1, 6, 7, "monthly", 2.5])
def test_any_unknown_contract_period_type_is_refused_not_read_as_monthly(period: Any) -> None:
    record = {"id": 7001, "companyID": 1, "contractType": 7, "status": 1, "contractPeriodType": period}
    with pytest.raises(ProviderError, match="Autotask contract 7001: field contractPeriodType"):
        at.agreement_from_json(record, zone=SYDNEY)
