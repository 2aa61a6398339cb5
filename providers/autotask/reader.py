"""The queries of one Autotask read, side by side (`QueryPool`), each fetching no more than
the plan needs: the records of a scope as JSON, and the first day whose unit rows were read
per contract (`rows_from`, which the adjustment marks depend on).

* Companies, contracts, services, contract services: `in` lists of the scope's ids.
* Unit rows: each contract's window (`unit_window.py`), by the dates its billing style
  compares on. Contracts sharing a window share a filter; a query holds at most 500 contract
  ids, as one `in` list or an `or` of one group per window.
* Charges of the last `lookback` days: with more than two queries' worth of contracts, one
  count of the charges dated in that time decides: none (no query at all), or every one of
  them in fewer pages than a query per 500 contracts would take, or those queries after all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask import unit_window
from providers.autotask.client import AutotaskClient
from providers.autotask.dates import write_date
from providers.autotask.filters import MAX_IN_VALUES, Filter, after, at_most, in_chunks, on_or_after
from providers.autotask.query_pool import Pending, QueryPool
from providers.autotask.unit_window import UnitWindow
from providers.record import numbered, record_id
from reconciler.model import Scope

ONE_DAY = timedelta(days=1)
Record = dict[str, Any]


@dataclass(frozen=True)
class Found:
    records: dict[str, list[Record]]  # companies, contracts, services, contract_services, units, charges
    rows_from: dict[int, date]  # contract id -> every unit row ending on or after it was read


class Reader:
    def __init__(self, client: AutotaskClient, *, zone: ZoneInfo, database_zone: ZoneInfo, charge_lookback: timedelta):
        self.client = client
        self.zone = zone  # the deployment's: what the contracts' dates mean
        self.database_zone = database_zone  # the Autotask database's: how a date is sent
        self.charge_lookback = charge_lookback

    def read(self, scope: Scope, services: list[int]) -> Found:
        contracts = sorted(numbered(scope.agreement_ids))
        with QueryPool(self.client) as pool:
            pending = {
                "contracts": pool.query_in("Contracts", "id", contracts),
                "companies": pool.query_in(
                    "Companies", "id", numbered(scope.company_ids), include_fields=("id", "companyName")
                ),
                "services": pool.query_in("Services", "id", services),
                "contract_services": self._of_services(pool, "ContractServices", contracts, services),
                "charges": self._charges(pool, contracts, scope.sync_date),
            }
            windows = unit_window.windows(pending["contracts"].result(), scope, self.zone)
            pending["units"] = self._units(
                pool, {c: w for c, w in windows.items() if c in scope.agreement_ids}, services
            )
            records = {name: p.result() for name, p in pending.items()}
        return Found(records, {contract: window.first for contract, window in windows.items()})

    def _of_services(
        self, pool: QueryPool, entity: str, contracts: list[int], services: list[int], also: Iterable[Filter] = ()
    ) -> Pending:
        """Records of `entity` on the contracts for the mapped services."""
        extra = list(also)
        return Pending(
            future
            for chunk in in_chunks("serviceID", services)
            for future in pool.query_in(entity, "contractID", contracts, also=[chunk, *extra]).futures
        )

    def _units(self, pool: QueryPool, windows: dict[int, UnitWindow], services: list[int]) -> Pending:
        """Each contract's unit rows in its window, and not one row of the periods beside it."""
        futures = []
        for service_chunk in in_chunks("serviceID", services):
            for groups in _chunks_by_window(windows):
                futures.append(
                    pool.query("ContractServiceUnits", _window_filter(groups, service_chunk, self.database_zone))
                )
        return Pending(futures)

    def _charges(self, pool: QueryPool, contracts: list[int], sync_date: date) -> Pending:
        since = on_or_after("datePurchased", sync_date - self.charge_lookback)
        chunks = len(in_chunks("contractID", contracts))
        if chunks <= 2:  # counting first would cost as much as the queries themselves
            return pool.query_in("ContractCharges", "contractID", contracts, also=[since])
        return Pending([pool.submit("ContractCharges", lambda: self._dated_charges(contracts, since, chunks))])

    def _dated_charges(self, contracts: list[int], since: Filter, chunks: int) -> list[Record]:
        count = self.client.count("ContractCharges", [since])
        if count == 0:
            return []
        if ceil(count / self.client.page_size) > chunks:  # the database's other charges outweigh ours
            return self.client.query_in("ContractCharges", "contractID", contracts, also=[since])
        wanted = set(contracts)
        return [r for r in self.client.query("ContractCharges", [since]) if record_id(r, "contractID") in wanted]


def _chunks_by_window(windows: dict[int, UnitWindow]) -> list[dict[UnitWindow, list[int]]]:
    """Contracts grouped by window, at most 500 contract ids a query: sorted by window, so
    a query holds few groups."""
    ordered = sorted(windows, key=lambda contract: (windows[contract], contract))
    chunks = []
    for start in range(0, len(ordered), MAX_IN_VALUES):
        groups: dict[UnitWindow, list[int]] = defaultdict(list)
        for contract in ordered[start : start + MAX_IN_VALUES]:
            groups[windows[contract]].append(contract)
        chunks.append(dict(groups))
    return chunks


def _window_filter(groups: dict[UnitWindow, list[int]], services: Filter, database_zone: ZoneInfo) -> list[Filter]:
    def within(window: UnitWindow) -> list[Filter]:
        # Exact on both readings of a date Autotask may apply (the literal date, or a UTC
        # instant taken to the database's zone) and on rows kept either way: ending after
        # the day before `first` is ending on or after `first`; a value written for `last`
        # is `last` in both readings.
        return [
            after("endDate", write_date(window.first - ONE_DAY, database_zone)),
            at_most("startDate", write_date(window.last, database_zone)),
        ]

    if len(groups) == 1:
        window, ids = next(iter(groups.items()))
        return [{"op": "in", "field": "contractID", "value": ids}, services, *within(window)]
    return [
        services,
        {
            "op": "or",
            "items": [
                {"op": "and", "items": [{"op": "in", "field": "contractID", "value": ids}, *within(window)]}
                for window, ids in groups.items()
            ],
        },
    ]
