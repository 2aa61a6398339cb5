"""`ncesync doctor` for Autotask: the zone, the credentials, the API user's permissions,
the mapped companies, contracts and services, and the database's hourly request budget.
Reads only; each finding is a Check carrying its fix."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask import mapping
from providers.autotask.budget import CHECK_EVERY
from providers.autotask.client import AutotaskClient
from providers.autotask.errors import credential_hint
from providers.record import numbered
from reconciler.errors import ProviderError
from reconciler.model import Check, Scope

READS = ("Companies", "Contracts", "Services", "ContractServices", "ContractServiceUnits", "ContractCharges")
PERMISSION_FIX = (
    "give the API user's security level view access to {what} (Admin > Security Levels: "
    "an API-only level with Contracts and CRM view permissions)"
)
SHOWN = 5


def diagnose(client: AutotaskClient, scope: Scope, time_zone: ZoneInfo) -> list[Check]:
    zone = _zone(client)
    if not zone.ok:
        return [zone, Check("psa credentials", False, "not checked: the zone is unknown", zone.fix)]
    credentials, reading = _credentials(client)
    checks = [zone, credentials]
    if not credentials.ok:
        return [*checks, Check("psa permissions", False, "not checked: the credentials were refused", credentials.fix)]
    budget = _budget(client, reading)
    if not budget.ok:  # every further request would be refused by the run's own budget
        return [
            *checks,
            budget,
            Check("psa permissions", False, "not checked: the request budget is spent", budget.fix),
        ]
    checks.append(_permissions(client))
    services = sorted(int(p) for p in scope.product_ids if p.strip().isdigit())
    checks += [
        _each(
            "mapped companies",
            sorted(numbered(scope.company_ids)),
            lambda: client.query_in("Companies", "id", numbered(scope.company_ids)),
            _company,
        ),
        _each(
            "mapped contracts",
            sorted(numbered(scope.agreement_ids)),
            lambda: client.query_in("Contracts", "id", numbered(scope.agreement_ids)),
            partial(_contract, zone=time_zone),
        ),
        _each("mapped services", services, lambda: client.query_in("Services", "id", services), _service),
        budget,
    ]
    return checks


def _zone(client: AutotaskClient) -> Check:
    known = client.known_zone_url
    try:
        zone = client.zone_url
    except ProviderError as exc:
        return Check(
            "psa zone",
            False,
            str(exc),
            credential_hint(500, str(exc)) or "check psa.username (the API user's full user name) or set psa.zone_url",
        )
    how = "set in psa.zone_url" if known else "found by zone discovery for the API user"
    return Check("psa zone", True, f"{zone} ({how})")


def _credentials(client: AutotaskClient) -> tuple[Check, Any]:
    try:
        reading = client.threshold()
    except ProviderError as exc:
        hint = (
            credential_hint(exc.status or 0, exc.vendor_message)
            or "check psa.username, psa.secret and psa.integration_code"
        )
        return Check("psa credentials", False, str(exc), hint), None
    return Check(
        "psa credentials", True, "Autotask accepted the API user, its secret and the integration code"
    ), reading


def _permissions(client: AutotaskClient) -> Check:
    refused = []
    for entity in READS:
        try:
            client.count(entity, [{"op": "eq", "field": "id", "value": 0}])
        except ProviderError as exc:
            refused.append((entity, exc))
    if not refused:
        return Check("psa permissions", True, f"the API user can query {', '.join(READS)}")
    what = ", ".join(e for e, _ in refused)
    return Check("psa permissions", False, f"querying {what} failed: {refused[0][1]}", PERMISSION_FIX.format(what=what))


def _each(
    name: str, wanted: list[int], read: Callable[[], list[dict[str, Any]]], problem_of: Callable[[dict[str, Any]], str]
) -> Check:
    if not wanted:
        return Check(name, True, "none mapped")
    try:
        records = {str(r.get("id")): r for r in read() if isinstance(r, dict)}
    except ProviderError as exc:
        return Check(name, False, str(exc), "see the error")
    found = []
    for item in wanted:
        record = records.get(str(item))
        problem = f"{item} was not found" if record is None else problem_of(record)
        if problem:
            found.append(problem)
    if not found:
        return Check(name, True, f"{len(wanted)} of {len(wanted)} found and in use")
    shown = "; ".join(found[:SHOWN]) + (f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return Check(
        name,
        False,
        f"{len(found)} of {len(wanted)}: {shown}",
        "fix the record in Autotask or the mapping in specs/ (ncesync validate, then doctor again)",
    )


def _company(record: dict[str, Any]) -> str:
    return "" if record.get("isActive") is True else f"company {record.get('id')} is not active"


def _contract(record: dict[str, Any], *, zone: ZoneInfo) -> str:
    try:
        contract = mapping.agreement_from_json(record, zone=zone)
    except ProviderError as exc:
        return str(exc)
    if record.get("contractType") != mapping.RECURRING_SERVICE:
        return (
            f"contract {contract.id} is not a Recurring Service contract (contractType {record.get('contractType')!r})"
        )
    return "" if contract.is_active else f"contract {contract.id} is not active"


def _service(record: dict[str, Any]) -> str:
    try:
        mapping.catalog_item_from_json(record)
    except ProviderError as exc:
        return str(exc)
    return "" if record.get("isActive") is True else f"service {record.get('id')} is not active"


def _budget(client: AutotaskClient, reading: Any) -> Check:
    limit = min(client.budget.limit, reading.threshold) if reading.threshold > 0 else client.budget.limit
    left = limit - reading.used
    detail = (
        f"{reading.used} of the database's {reading.threshold} requests used in the last "
        f"{reading.timeframe_minutes} minutes; {max(left, 0)} left before psa.request_budget ({client.budget.limit})"
    )
    if reading.used + CHECK_EVERY >= limit:
        return Check(
            "psa request budget", False, detail, "wait until the hourly count drops, or raise psa.request_budget"
        )
    return Check("psa request budget", True, detail)
