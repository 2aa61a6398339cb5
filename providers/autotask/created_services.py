"""CreatedServices: the contract services this run's adjustments created, looked up together.

An adjustment for a service a contract lacks creates the contract service, but Autotask
answers with the adjustment's id, not the service's; the invoice text that follows is a
PATCH that needs the service's id. Looking each one up alone made one query per new service
(127 at 5,000 clients). Apply writes the changes of different licences side by side, first
changes first, so by the time the first description is written most adjustments are done:
one query then finds every service created so far, grouped by service, 500 contracts a
query. Written one after another, each lookup finds one service, as before.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from providers.autotask.client import AutotaskClient
from providers.autotask.filters import MAX_IN_VALUES, Filter, equals
from providers.record import record_id
from reconciler.errors import ProviderError

Record = dict[str, Any]
Key = tuple[int, int]  # (contract id, service id)


class CreatedServices:
    def __init__(self, client: AutotaskClient):
        self.client = client
        self._lock = threading.Lock()
        self._waiting: set[Key] = set()  # created, not looked up yet
        self._found: dict[Key, Record] = {}

    def created(self, contract_id: int, service_id: int) -> None:
        """An adjustment created (or may have created) this contract service."""
        with self._lock:
            if (contract_id, service_id) not in self._found:
                self._waiting.add((contract_id, service_id))

    def find(self, contract_id: int, service_id: int) -> Record:
        """The contract service, read fresh: with every other created one still waiting."""
        key = (contract_id, service_id)
        with self._lock:  # a second caller waits for the query in flight, then finds its service
            if key not in self._found:
                wanted, self._waiting = self._waiting | {key}, set()
                for filters in _queries(wanted):
                    for record in self.client.query("ContractServices", filters):
                        found = (record_id(record, "contractID"), record_id(record, "serviceID"))
                        if found in wanted:
                            self._found.setdefault(found, record)
            if key not in self._found:
                raise ProviderError(f"Autotask: no contract service for service {service_id} on contract {contract_id}")
            return self._found[key]


def _queries(keys: set[Key]) -> list[list[Filter]]:
    """Filters finding exactly `keys`: per service, its contracts; at most 500 contracts a
    query (one group: plain filters; several: an `or` of one group per service)."""
    by_service: dict[int, list[int]] = defaultdict(list)
    for contract, service in sorted(keys, key=lambda k: (k[1], k[0])):
        by_service[service].append(contract)
    queries: list[list[Filter]] = []
    groups: list[tuple[int, list[int]]] = []
    size = 0
    for service, contracts in by_service.items():
        for start in range(0, len(contracts), MAX_IN_VALUES):
            part = contracts[start : start + MAX_IN_VALUES]
            if size + len(part) > MAX_IN_VALUES:
                queries.append(_filters(groups))
                groups, size = [], 0
            groups.append((service, part))
            size += len(part)
    if groups:
        queries.append(_filters(groups))
    return queries


def _filters(groups: list[tuple[int, list[int]]]) -> list[Filter]:
    def group(service: int, contracts: list[int]) -> list[Filter]:
        contract = (
            equals("contractID", contracts[0])
            if len(contracts) == 1
            else {"op": "in", "field": "contractID", "value": contracts}
        )
        return [contract, equals("serviceID", service)]

    if len(groups) == 1:
        return group(*groups[0])
    return [{"op": "or", "items": [{"op": "and", "items": group(s, c)} for s, c in groups]}]
