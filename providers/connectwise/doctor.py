"""`ncesync doctor` for ConnectWise: the site and company, the API keys, the API member's
permissions, the mapped companies, agreements and catalog items, and the request budget.
Reads only; each finding is a Check carrying its fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.connectwise import mapping
from providers.connectwise.client import ConnectWiseClient
from providers.record import numbered
from reconciler.errors import ProviderError
from reconciler.model import Check, Scope

KEYS_FIX = (
    "check psa.public_key and psa.private_key (an API member's keys, under System > Members > "
    "API Members) and psa.client_id (your integration's clientId)"
)
READS = (  # what the sync reads, and the security-role setting that grants it
    ("/company/companies", "Companies", "Company > Company Maintenance: Inquire level All"),
    ("/finance/agreements", "Agreements", "Finance > Agreements: Inquire level All"),
    ("/procurement/catalog", "Product catalog", "Procurement > Product Catalog: Inquire level All"),
)
SHOWN = 5  # problems listed in one line; the rest are counted


def diagnose(client: ConnectWiseClient, company_id: str, scope: Scope) -> list[Check]:
    checks = [_site(client, company_id)]
    keys = _keys(client)
    checks.append(keys)
    if not keys.ok:
        return [*checks, Check("psa permissions", False, "not checked: the API keys were refused", KEYS_FIX)]
    checks += _permissions(client, scope)
    checks += [
        _each(
            "mapped companies",
            sorted(numbered(scope.company_ids)),
            lambda: client.companies(numbered(scope.company_ids)),
            _company,
        ),
        _each(
            "mapped agreements",
            sorted(numbered(scope.agreement_ids)),
            lambda: client.agreements(numbered(scope.agreement_ids)),
            _agreement,
        ),
        _each(
            "mapped products",
            sorted(scope.product_ids),
            lambda: client.catalog_items(scope.product_ids),
            _product,
            key="identifier",
        ),
        Check(
            "psa request budget",
            True,
            "ConnectWise publishes no request quota; a 429 is waited out as its Retry-After asks",
        ),
    ]
    return checks


def _site(client: ConnectWiseClient, company_id: str) -> Check:
    try:
        info = client.company_info(company_id)
    except ProviderError as exc:
        return Check(
            "psa site",
            False,
            str(exc),
            "check psa.endpoint (the site, e.g. https://api-na.myconnectwise.net) "
            "and psa.company_id (the company you log in with)",
        )
    codebase = str(info.get("Codebase") or "").strip("/")
    if not codebase:
        return Check(
            "psa site",
            False,
            "the site answered no codebase for the company",
            "check psa.company_id (the company you log in with)",
        )
    return Check(
        "psa site",
        True,
        f"the site knows the company; its codebase is {codebase}, ncesync calls "
        f"{client.codebase} (ConnectWise's router to the current release)",
    )


def _keys(client: ConnectWiseClient) -> Check:
    try:
        client.count("/company/companies", "id = 0")
    except ProviderError as exc:
        if exc.status in (401, 404):  # cloud sites may answer bad keys with a 404
            return Check("psa credentials", False, str(exc), KEYS_FIX)
        if exc.status != 403:  # a 403 is a permission, checked next
            return Check("psa credentials", False, str(exc), "check psa.endpoint and psa.codebase")
    return Check("psa credentials", True, "ConnectWise accepted the API keys and clientId")


def _permissions(client: ConnectWiseClient, scope: Scope) -> list[Check]:
    reads = list(READS)
    if scope.agreement_ids:
        agreement = min(scope.agreement_ids)
        reads.insert(
            2,
            (
                f"/finance/agreements/{agreement}/additions",
                "Agreement additions",
                "Finance > Agreements: Inquire level All",
            ),
        )
    refused = []
    for path, what, grant in reads:
        try:
            client.count(path, "id = 0")
        except ProviderError as exc:
            if exc.status == 404 and "additions" in path:
                continue  # the agreement itself is checked below
            refused.append((what, grant, exc))
    if not refused:
        return [Check("psa permissions", True, f"the API member can read {', '.join(w for _, w, _ in reads)}")]
    return [
        Check("psa permissions", False, f"reading {what} failed: {exc}", f"give the API member's security role {grant}")
        for what, grant, exc in refused
    ]


def _each(
    name: str,
    wanted: list[Any],
    read: Callable[[], list[dict[str, Any]]],
    problem_of: Callable[[dict[str, Any]], str],
    *,
    key: str = "id",
) -> Check:
    """One check over every mapped record: found, readable and in use."""
    if not wanted:
        return Check(name, True, "none mapped")
    try:
        records = {str(r.get(key)): r for r in read() if isinstance(r, dict)}
    except ProviderError as exc:
        return Check(name, False, str(exc), "see the error")
    problems = []
    for item in wanted:
        record = records.get(str(item))
        problems.append(f"{item} was not found" if record is None else problem_of(record))
    found = [p for p in problems if p]
    if not found:
        return Check(name, True, f"{len(wanted)} of {len(wanted)} found and in use")
    shown = "; ".join(found[:SHOWN]) + (f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return Check(
        name,
        False,
        f"{len(found)} of {len(wanted)}: {shown}",
        "fix the record in ConnectWise or the mapping in specs/ (ncesync validate, then doctor again)",
    )


def _company(record: dict[str, Any]) -> str:
    if record.get("deletedFlag") is True:
        return f"company {record.get('id')} is deleted"
    return ""


def _agreement(record: dict[str, Any]) -> str:
    try:
        agreement = mapping.agreement_from_json(record)
    except ProviderError as exc:
        return str(exc)
    return "" if agreement.is_active else f"agreement {agreement.id} is {agreement.status}"


def _product(record: dict[str, Any]) -> str:
    try:
        item = mapping.catalog_item_from_json(record)
    except ProviderError as exc:
        return str(exc)
    return f"catalog item {item.product_id!r} is inactive" if record.get("inactiveFlag") is True else ""
