"""Autotask as a target: recurring-service contracts, through the REST client.

What a read covers, in a handful of `in`-list queries run side by side: the companies and
contracts in scope, the contract services of the mapped services on those contracts with
their unit rows (those of the periods around the sync date, read once the contracts' period
lengths are known), the mapped services, and contract charges of the last `CHARGE_LOOKBACK_DAYS`
(monthly copies of invoice lines, read back so a rerun recognises them).

Writes: a seat change is a ContractServiceAdjustment (Autotask creates a missing contract
service itself); price or description drift is a PATCH of the contract service; a monthly
copy of an invoice line is a contract charge.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from providers.autotask import connection, mapping
from providers.autotask.budget import DEFAULT_LIMIT, RequestBudget
from providers.autotask.client import MAX_CONCURRENT, AutotaskClient
from providers.autotask.filters import Filter, equals, in_chunks, on_or_after, on_or_before
from providers.autotask.writer import Writer
from providers.base import CompanyInfo, ProviderContext, TargetProvider, WriteResult
from providers.http import RetryPolicy
from providers.options import timeouts, whole_number
from reconciler import change as actions
from reconciler.change import Change
from reconciler.errors import ProviderError
from reconciler.model import Agreement, ProviderConfig, PsaLine, PsaState, Scope
from reconciler.model.psa import CHARGE

log = logging.getLogger(__name__)

CHARGE_LOOKBACK_DAYS = 93  # about three monthly invoices
Record = dict[str, Any]


class AutotaskProvider(TargetProvider):
    name = "autotask"
    kind = "autotask"
    sync_types = frozenset({"daily", "monthly"})
    description_limit = mapping.INVOICE_DESCRIPTION_LIMIT
    charge_lookback = timedelta(days=CHARGE_LOOKBACK_DAYS)

    def __init__(self, client: AutotaskClient):
        self.client = client
        self._services: dict[tuple[int, int], Record] = {}  # (contract, service) -> contract service
        self._catalog: dict[int, Record] = {}  # service id -> Service record, from reads

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> "AutotaskProvider":
        options = config.options
        endpoint, credentials = connection.endpoint_and_credentials(config, context)
        budget = RequestBudget(
            whole_number(options.get("request_budget", DEFAULT_LIMIT), "psa.request_budget")
        )
        client = AutotaskClient(
            endpoint=endpoint,
            zone_url=connection.zone_url(options.get("zone_url")),
            timeout=timeouts(options.get("timeout")),
            retry=RetryPolicy(),
            parallelism=_parallelism(options.get("parallelism", MAX_CONCURRENT)),
            budget=budget,
            **credentials,
        )
        return cls(client)

    # -- read -----------------------------------------------------------------------------

    def read(self, scope: Scope) -> PsaState:
        contracts = sorted(scope.agreement_ids)
        services = _service_ids(scope.product_ids)
        found = self.client.gather({
            "companies": lambda: self.client.query_in(
                "Companies", "id", scope.company_ids, include_fields=("id", "companyName")
            ),
            "contracts": lambda: self.client.query_in("Contracts", "id", contracts),
            "services": lambda: self.client.query_in("Services", "id", services),
            "contract_services": lambda: self._of_services("ContractServices", contracts, services),
            "charges": lambda: self.client.query_in(
                "ContractCharges", "contractID", contracts,
                also=[on_or_after("datePurchased", scope.sync_date - timedelta(days=CHARGE_LOOKBACK_DAYS))],
            ),
        })
        found["units"] = self._units(contracts, services, found["contracts"], scope)
        self._remember(found["contract_services"], found["services"])
        state = PsaState(
            companies=mapping.companies_from_json(found["companies"]),
            agreements=_agreements(found["contracts"], found["units"], scope),
            lines=self._lines(found, scope),
            catalog={
                item.product_id: item
                for item in map(mapping.catalog_item_from_json, found["services"])
                if item.product_id in scope.product_ids
            },
        )
        log.info(
            "autotask.read: companies=%d contracts=%d lines=%d catalog=%d",
            len(state.companies), len(state.agreements), len(state.lines), len(state.catalog),
        )
        return state

    def companies(self) -> dict[int, CompanyInfo]:
        found = self.client.gather({
            "companies": lambda: self.client.query(
                "Companies", [equals("isActive", True)], include_fields=("id", "companyName")
            ),
            "contracts": lambda: self.client.query("Contracts", [
                equals("status", mapping.ACTIVE), equals("contractType", mapping.RECURRING_SERVICE),
            ]),
        })
        contracts: dict[int, list[Agreement]] = defaultdict(list)
        for record in found["contracts"]:
            contract = mapping.agreement_from_json(record)
            contracts[contract.company_id].append(contract)
        names = mapping.companies_from_json(found["companies"])
        log.info("autotask.companies: companies=%d contracts=%d", len(names), len(found["contracts"]))
        return {
            cid: CompanyInfo(cid, name, tuple(sorted(contracts.get(cid, []), key=lambda c: c.id)))
            for cid, name in sorted(names.items())
        }

    def _of_services(
        self, entity: str, contracts: list[int], services: list[int], also: Iterable[Filter] = ()
    ) -> list[Record]:
        """Records of `entity` on the contracts for the mapped services."""
        records: list[Record] = []
        for chunk in in_chunks("serviceID", services):
            records.extend(self.client.query_in(entity, "contractID", contracts, also=[chunk, *also]))
        return records

    def _units(self, contracts: list[int], services: list[int], records: list[Record], scope: Scope) -> list[Record]:
        """Unit rows from the period before the sync date's to the next one: all that the
        comparison date and the posted check look at. A contract runs for years with one
        row per period, so reading every row made this the largest read by far."""
        months = max((mapping.period_months(r.get("contractPeriodType")) for r in records), default=1)
        reach = timedelta(days=31 * months + 1)
        window = [on_or_after("endDate", scope.sync_date - reach), on_or_before("startDate", scope.sync_date + reach)]
        return self._of_services("ContractServiceUnits", contracts, services, also=window)

    def _remember(self, contract_services: list[Record], services: list[Record]) -> None:
        for record in contract_services:
            key = (int(record.get("contractID") or 0), int(record.get("serviceID") or 0))
            self._services[key] = record
        self._catalog.update({int(s["id"]): s for s in services})

    def _lines(self, found: dict[str, list[Record]], scope: Scope) -> tuple[PsaLine, ...]:
        rows: dict[int, list[Record]] = defaultdict(list)
        for row in found["units"]:
            rows[int(row.get("contractServiceID") or 0)].append(row)
        lines = [
            mapping.line_from_json(record, rows.get(int(record["id"]), []))
            for record in found["contract_services"]
            if int(record.get("contractID") or 0) in scope.agreement_ids
        ]
        lines += [
            mapping.charge_from_json(record, self._charge_product(record))
            for record in found["charges"]
        ]
        kept = [ln for ln in lines if ln.product_id in scope.product_ids or ln.kind == CHARGE]
        return tuple(sorted(kept, key=lambda ln: (ln.agreement_id, ln.kind, ln.id)))

    def _charge_product(self, charge: Record) -> str:
        """The mapped service whose billing code a charge carries ('' when none or several)."""
        code = charge.get("billingCodeID")
        if code in (None, ""):
            return ""
        matches = [sid for sid, s in self._catalog.items() if s.get("billingCodeID") == code]
        return str(matches[0]) if len(matches) == 1 else ""

    # -- write ----------------------------------------------------------------------------

    def write(self, change: Change) -> WriteResult:
        try:
            writer = Writer(self.client, self._services, self._catalog)
            if change.action == actions.CREATE_ADJUSTMENT:
                return writer.adjust(change)
            if change.action == actions.UPDATE_LINE and change.line_kind == CHARGE:
                return writer.update_charge(change)
            if change.action == actions.UPDATE_LINE:
                return writer.update_service(change)
            if change.action == actions.CREATE_CHARGE:
                return writer.charge(change)
        except (KeyError, ValueError, TypeError) as exc:
            raise ProviderError(
                f"Autotask: the {change.action} change for contract {change.agreement_id}, "
                f"service {change.product_id} cannot be written: {exc!r}"
            ) from exc
        raise ProviderError(
            f"Autotask cannot perform a {change.action} change; seat counts change through "
            "contract service adjustments"
        )

    # -- the rest of the contract ---------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts()

    def tenant_key(self) -> str:
        """The Autotask database, as the API user's domain names it. Not the zone URL: that
        carries the embedded sandbox's random port, so two applies got two locks. The user
        name is a setting resolved from the environment, so only a hash of it is used."""
        domain = self.client.username.rpartition("@")[2].strip().lower()
        return f"autotask:{hashlib.sha256(domain.encode()).hexdigest()[:12]}"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name, "endpoint": self.client.endpoint,
                "zone_url": self.client.known_zone_url}


def _agreements(contracts: list[Record], units: list[Record], scope: Scope) -> dict[int, Agreement]:
    posted = mapping.posted_through(units)
    agreements = {}
    for record in contracts:
        agreement = mapping.agreement_from_json(record, posted_through=posted.get(int(record["id"])))
        if agreement.id in scope.agreement_ids:
            agreements[agreement.id] = agreement
    return agreements


def _parallelism(value: Any) -> int:
    """Requests in flight at once, capped at what Autotask allows (asking for more is not
    an error: the run goes on at the limit)."""
    wanted = whole_number(value, "psa.parallelism")
    if wanted > MAX_CONCURRENT:
        log.warning(
            "autotask: parallelism=%d is above Autotask's limit of %d requests at once; using %d",
            wanted, MAX_CONCURRENT, MAX_CONCURRENT,
        )
    return min(wanted, MAX_CONCURRENT)


def _service_ids(product_ids: Iterable[str]) -> list[int]:
    """Mapped PSA products as Autotask service ids; a non-number cannot be one."""
    ids = []
    for product in sorted(product_ids):
        if product.strip().isdigit():
            ids.append(int(product))
        else:
            log.warning("autotask.read: psa_product=%r is not a service id (a number); skipped", product)
    return ids
