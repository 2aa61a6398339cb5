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
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask import connection, doctor, mapping, settings
from providers.autotask.budget import DEFAULT_LIMIT, RequestBudget
from providers.autotask.client import MAX_CONCURRENT, AutotaskClient
from providers.autotask.created_services import CreatedServices
from providers.autotask.filters import equals
from providers.autotask.reader import Reader
from providers.autotask.writer import Writer
from providers.http import RetryPolicy
from providers.options import timeouts, whole_number
from providers.record import record_id
from providers.unreadable import UnreadableRecords
from reconciler.errors import ProviderError
from reconciler.model import Agreement, Check, ProviderConfig, PsaId, PsaLine, PsaState, RequestForecast, Scope
from reconciler.model.psa import CHARGE
from reconciler.plan import change as actions
from reconciler.plan.change import Change
from reconciler.provider import (
    Capabilities,
    CompanyInfo,
    ProrateSource,
    ProviderContext,
    SeatModel,
    TargetProvider,
    Words,
    WriteResult,
)

log = logging.getLogger(__name__)

CHARGE_LOOKBACK_DAYS = 93  # about three monthly invoices
WRITE_ENDPOINTS = 2  # ContractServiceAdjustments, and ContractServices (descriptions, look-ups)
HOURLY_THRESHOLD = 10_000  # requests per rolling hour of a database, every integration's together
Record = dict[str, Any]


class AutotaskProvider(TargetProvider):
    name = "autotask"
    # Units change only through dated adjustments, one per contract service and date; the
    # company's billing.prorate setting says whether Autotask prorates them.
    capabilities = Capabilities(
        seat_model=SeatModel.DATED_ADJUSTMENTS,
        prorated_seat_model=SeatModel.DATED_ADJUSTMENTS,
        prorate_source=ProrateSource.SETTING,
        one_dated_change_per_line_and_date=True,
        posted_periods=True,
        description_limit=mapping.INVOICE_DESCRIPTION_LIMIT,
        sync_types=frozenset({"daily", "monthly"}),
        words=Words(psa="Autotask", agreement="contract", line="contract service"),
    )
    charge_lookback = timedelta(days=CHARGE_LOOKBACK_DAYS)

    def __init__(
        self,
        client: AutotaskClient,
        *,
        zone: ZoneInfo,
        database_zone: ZoneInfo | None = None,
        max_request_share: Decimal | None = settings.DEFAULT_REQUEST_SHARE,
    ):
        self.client = client
        self.max_request_share = max_request_share  # percent of the hourly threshold an apply may use
        self.zone = zone  # the deployment's: the calendar dates Autotask's values mean
        self.database_zone = database_zone or zone  # the Autotask database's: how dates are sent
        self._services: dict[tuple[int, int], Record] = {}  # (contract, service) -> contract service
        self._catalog: dict[int, Record] = {}  # service id -> Service record, from reads
        self._created = CreatedServices(client)  # contract services this run's adjustments made

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> AutotaskProvider:
        options = config.options
        endpoint, credentials = connection.endpoint_and_credentials(config, context)
        budget = RequestBudget(whole_number(options.get("request_budget", DEFAULT_LIMIT), "psa.request_budget"))
        client = AutotaskClient(
            endpoint=endpoint,
            zone_url=connection.zone_url(options.get("zone_url")),
            timeout=timeouts(options.get("timeout")),
            retry=RetryPolicy(),
            parallelism=settings.parallelism(options.get("parallelism", MAX_CONCURRENT)),
            budget=budget,
            **credentials,
        )
        return cls(
            client,
            zone=ZoneInfo(context.timezone),
            database_zone=settings.database_zone(options.get("database_timezone"), "psa.database_timezone"),
            max_request_share=settings.request_share(options.get("max_request_share", settings.DEFAULT_REQUEST_SHARE)),
        )

    # -- read -----------------------------------------------------------------------------

    def read(self, scope: Scope) -> PsaState:
        reading = Reader(
            self.client, zone=self.zone, database_zone=self.database_zone, charge_lookback=self.charge_lookback
        )
        result = reading.read(scope, _service_ids(scope.product_ids))
        found, rows_from = result.records, result.rows_from
        self._remember(found["contract_services"], found["services"])
        unreadable = UnreadableRecords()
        state = PsaState(
            companies=mapping.companies_from_json(found["companies"]),
            agreements=_agreements(found["contracts"], found["units"], scope, unreadable, self.zone),
            lines=self._lines(found, scope, unreadable, rows_from),
            catalog={
                item.product_id: item
                for item in (
                    unreadable.parse(mapping.catalog_item_from_json, r, product_id=_text_id(r))
                    for r in found["services"]
                )
                if item is not None and item.product_id in scope.product_ids
            },
            unreadable=unreadable.result(),
        )
        log.info(
            "autotask.read: companies=%d contracts=%d lines=%d catalog=%d unreadable=%d",
            len(state.companies),
            len(state.agreements),
            len(state.lines),
            len(state.catalog),
            len(state.unreadable),
        )
        return state

    def companies(self) -> dict[PsaId, CompanyInfo]:
        found = self.client.gather(
            {
                "companies": lambda: self.client.query(
                    "Companies", [equals("isActive", True)], include_fields=("id", "companyName")
                ),
                "contracts": lambda: self.client.query(
                    "Contracts",
                    [
                        equals("status", mapping.ACTIVE),
                        equals("contractType", mapping.RECURRING_SERVICE),
                    ],
                ),
            }
        )
        contracts: dict[PsaId, list[Agreement]] = defaultdict(list)
        for record in found["contracts"]:
            contract = mapping.agreement_from_json(record, zone=self.zone)
            contracts[contract.company_id].append(contract)
        names = mapping.companies_from_json(found["companies"])
        log.info("autotask.companies: companies=%d contracts=%d", len(names), len(found["contracts"]))
        return {
            cid: CompanyInfo(cid, name, tuple(sorted(contracts.get(cid, []), key=lambda c: c.id)))
            for cid, name in sorted(names.items())
        }

    def _remember(self, contract_services: list[Record], services: list[Record]) -> None:
        for record in contract_services:
            contract, service = record_id(record, "contractID"), record_id(record, "serviceID")
            if contract is not None and service is not None:  # an unreadable one is reported by the read
                self._services[(contract, service)] = record
        self._catalog.update({sid: s for s in services if (sid := record_id(s)) is not None})

    def _lines(
        self, found: dict[str, list[Record]], scope: Scope, unreadable: UnreadableRecords, rows_from: dict[int, date]
    ) -> tuple[PsaLine, ...]:
        rows: dict[int | None, list[Record]] = defaultdict(list)
        for row in found["units"]:
            rows[record_id(row, "contractServiceID")].append(row)
        for row in rows.pop(None, []):  # a row that names no contract service: its licence stops
            unreadable.parse(
                _unattributed, row, agreement_id=record_id(row, "contractID"), product_id=_text_id(row, "serviceID")
            )

        def service(record: Record, unit_rows: list[Record]) -> PsaLine:
            # a contract not read has no rows read either: nothing can be told from them
            first = rows_from.get(record_id(record, "contractID") or 0, scope.sync_date)
            return mapping.line_from_json(record, unit_rows, zone=self.zone, rows_from=first)

        parsed = [
            unreadable.parse(
                service,
                record,
                rows.get(record_id(record), []),
                agreement_id=record_id(record, "contractID"),
                product_id=_text_id(record, "serviceID"),
            )
            for record in found["contract_services"]
            if record_id(record, "contractID") in scope.agreement_ids or record_id(record, "contractID") is None
        ]
        charge = partial(mapping.charge_from_json, zone=self.zone)
        parsed += [  # a charge we cannot read might be a copy already made: its contract stops
            unreadable.parse(charge, record, self._charge_product(record), agreement_id=record_id(record, "contractID"))
            for record in found["charges"]
        ]
        kept = [ln for ln in parsed if ln is not None and (ln.product_id in scope.product_ids or ln.kind == CHARGE)]
        return tuple(sorted(kept, key=lambda ln: (ln.agreement_id, ln.kind, ln.id)))

    def _charge_product(self, charge: Record) -> str:
        """The mapped service whose billing code a charge carries ('' when none or several)."""
        code = charge.get("billingCodeID")
        if code in (None, ""):
            return ""
        matches = [sid for sid, s in self._catalog.items() if s.get("billingCodeID") == code]
        return str(matches[0]) if len(matches) == 1 else ""

    # -- write ----------------------------------------------------------------------------

    @property
    def write_parallelism(self) -> int:
        """Writes in flight at once: a seat change's adjustment and another licence's
        description go to two endpoints, each allowed `parallelism` requests at once (the
        client holds each endpoint to that); 1 when the deployment asks for one at a time."""
        return 1 if self.client.parallelism == 1 else self.client.parallelism * WRITE_ENDPOINTS

    def write(self, change: Change) -> WriteResult:
        try:
            writer = Writer(
                self.client, self._services, self._catalog, database_zone=self.database_zone, created=self._created
            )
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
            f"Autotask cannot perform a {change.action} change; seat counts change through contract service adjustments"
        )

    # -- the rest of the contract ---------------------------------------------------------

    def request_forecast(self, changes: Sequence[Change], *, reads: int) -> RequestForecast:
        """The reads again, one write per change, and at most one look-up per description
        of a contract service an adjustment creates; against the database's threshold as
        last read (10,000 an hour until one was)."""
        lookups = sum(
            1 for c in changes if c.action == actions.UPDATE_LINE and c.line_kind != CHARGE and c.line_id is None
        )
        reading = self.client.budget.reading
        limit = reading.threshold if reading is not None and reading.threshold > 0 else HOURLY_THRESHOLD
        return RequestForecast(
            reads=reads, writes=len(changes), lookups=lookups, hourly_limit=limit, max_share=self.max_request_share
        )

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts()

    def diagnose(self, scope: Scope) -> list[Check]:
        return doctor.diagnose(self.client, scope, self.zone)

    def tenant_key(self) -> str:
        """The Autotask database, as the API user's domain names it. Not the zone URL: that
        carries the embedded sandbox's random port, so two applies got two locks. The user
        name is a setting resolved from the environment, so only a hash of it is used."""
        domain = self.client.username.rpartition("@")[2].strip().lower()
        return f"autotask:{hashlib.sha256(domain.encode()).hexdigest()[:12]}"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name, "endpoint": self.client.endpoint, "zone_url": self.client.known_zone_url}


def _agreements(
    contracts: list[Record], units: list[Record], scope: Scope, unreadable: UnreadableRecords, zone: ZoneInfo
) -> dict[PsaId, Agreement]:
    rows: dict[int | None, list[Record]] = defaultdict(list)
    for row in units:
        rows[record_id(row, "contractID")].append(row)
    agreements: dict[PsaId, Agreement] = {}
    for record in contracts:
        contract = record_id(record)

        def parse(r: Record = record, c: int | None = contract) -> Agreement:
            posted = mapping.posted_through(rows.get(c, []), zone=zone) if c is not None else {}
            return mapping.agreement_from_json(r, zone=zone, posted_through=posted.get(c) if c is not None else None)

        agreement = unreadable.parse(parse, agreement_id=contract)
        if agreement is not None and agreement.id in scope.agreement_ids:
            agreements[agreement.id] = agreement
    return agreements


def _text_id(record: Record, name: str = "id") -> str | None:
    """A record's id field as the product id text, when it can be read."""
    value = record_id(record, name)
    return None if value is None else str(value)


def _unattributed(row: Record) -> Any:
    raise ProviderError(
        f"Autotask contract service unit row {row.get('id')!r}: field contractServiceID "
        f"is missing or not an id ({row.get('contractServiceID')!r}); refusing to guess it"
    )


def _service_ids(product_ids: Iterable[str]) -> list[int]:
    """Mapped PSA products as Autotask service ids; a non-number cannot be one."""
    ids = []
    for product in sorted(product_ids):
        if product.strip().isdigit():
            ids.append(int(product))
        else:
            log.warning("autotask.read: psa_product=%r is not a service id (a number); skipped", product)
    return ids
