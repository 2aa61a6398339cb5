"""TinyPSA as an ncesync target: plans and their items, through the REST client.

A seat change on a plan that does not prorate sets the main item's quantity (seat model
`quantity`); with proration (`billing.prorate` in settings.yaml, overridable per client) it
adds a dated delta item of n - E, which TinyPSA prorates itself (seat model `delta_lines`).

What a read covers: the companies and plans in scope, the items of those plans whose code
is a mapped product (not ended before the sync date), and those products' catalog items.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar

from reconciler.errors import ProviderError
from reconciler.model import Agreement, CatalogItem, Check, ProviderConfig, PsaLine, PsaState, Scope, Unreadable
from reconciler.plan.change import SET_QUANTITY, UPDATE_LINE, Change
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
from reconciler.secrets import env_name, resolve

from tinypsa import doctor, mapping
from tinypsa.client import TinyPsaClient
from tinypsa.endpoint import base_url, tenant, timeouts

log = logging.getLogger(__name__)

T = TypeVar("T")


class TinyPsaProvider(TargetProvider):
    name = "tinypsa"
    capabilities = Capabilities(
        seat_model=SeatModel.QUANTITY,
        prorated_seat_model=SeatModel.DELTA_LINES,
        prorate_source=ProrateSource.SETTING,
        description_limit=500,  # TinyPSA's invoice_text limit
        sync_types=frozenset({"daily"}),
        words=Words(psa="TinyPSA", agreement="plan", line="item"),
    )
    # `ncesync validate` checks the `psa:` block against this (a misspelt option is an error).
    settings_schema: ClassVar[dict[str, Any] | None] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["provider", "endpoint", "token"],
        "properties": {
            "provider": {"const": "tinypsa"},
            "endpoint": {"type": "string", "description": "TinyPSA's base URL (https, or http on loopback)"},
            "token": {"type": "string", "pattern": "^env:[A-Za-z_][A-Za-z0-9_]*$"},
            "timeout": {"type": "number", "exclusiveMinimum": 0},
            "parallelism": {"type": "integer", "minimum": 1},
        },
    }

    def __init__(self, client: TinyPsaClient, *, endpoint: str):
        self.client = client
        self.endpoint = endpoint

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> TinyPsaProvider:
        endpoint = base_url(config.endpoint)
        reference = config.options.get("token")
        token = resolve(reference, context.environ, setting="psa.token")
        variable = env_name(reference)
        setting = f"psa.token (the environment variable {variable})" if variable else "psa.token"
        client = TinyPsaClient(endpoint, token, token_setting=setting, timeout=timeouts(config.options.get("timeout")))
        return cls(client, endpoint=endpoint)

    # -- read -----------------------------------------------------------------------------

    def read(self, scope: Scope) -> PsaState:
        damaged: list[Unreadable] = []  # records read but not understood: their licences stop
        companies = self.client.companies(scope.company_ids) if scope.company_ids else []
        agreements = self._plans(scope, damaged)
        lines = self._items(sorted(agreements), scope, damaged) if scope.product_ids and agreements else []
        catalog = self._catalog(scope, damaged) if scope.product_ids else {}
        log.info(
            "tinypsa.read: companies=%d plans=%d items=%d catalog=%d unreadable=%d",
            len(companies),
            len(agreements),
            len(lines),
            len(catalog),
            len(damaged),
        )
        return PsaState(
            companies=_whole_read(mapping.companies_from_json, companies),
            agreements=agreements,
            lines=tuple(sorted(lines, key=lambda ln: (ln.agreement_id, ln.id))),
            catalog=catalog,
            unreadable=tuple(damaged),
        )

    def _plans(self, scope: Scope, damaged: list[Unreadable]) -> dict[int, Agreement]:
        agreements = {}
        for record in self.client.plans(scope.agreement_ids) if scope.agreement_ids else ():
            agreement = _parsed(mapping.agreement_from_json, record, damaged, agreement_id=_key(record, "id"))
            if agreement is not None and agreement.id in scope.agreement_ids:
                agreements[agreement.id] = agreement
        return agreements

    def _items(self, plan_ids: list[int], scope: Scope, damaged: list[Unreadable]) -> list[PsaLine]:
        lines = []
        for record in self.client.items(plan_ids, scope.product_ids):
            where = {"agreement_id": _key(record, "plan_id"), "product_id": _key(record, "code")}
            line = _parsed(mapping.line_from_json, record, damaged, **where)
            if line is not None and _in_scope(line, scope):
                lines.append(line)
        return lines

    def _catalog(self, scope: Scope, damaged: list[Unreadable]) -> dict[str, CatalogItem]:
        catalog = {}
        for record in self.client.catalog(scope.product_ids):
            item = _parsed(mapping.catalog_item_from_json, record, damaged, product_id=_key(record, "code"))
            if item is not None and item.product_id in scope.product_ids:
                catalog[item.product_id] = item
        return catalog

    def companies(self) -> dict[int, CompanyInfo]:
        names = _whole_read(mapping.companies_from_json, self.client.companies())
        plans: dict[int, list[Agreement]] = {}
        for record in self.client.plans(status="active"):
            agreement = _whole_read(mapping.agreement_from_json, record)
            plans.setdefault(agreement.company_id, []).append(agreement)
        return {
            cid: CompanyInfo(cid, name, tuple(sorted(plans.get(cid, []), key=lambda a: a.id)))
            for cid, name in sorted(names.items())
        }

    # -- write ----------------------------------------------------------------------------

    def write(self, change: Change) -> WriteResult:
        try:
            if change.action in mapping.CREATES:
                record = self.client.create_item(change.agreement_id, mapping.item_body(change))
                result = WriteResult(record_id=record["id"], detail=f"item {record['id']} created")
            elif change.action in (SET_QUANTITY, UPDATE_LINE):
                result = self._update(change)
            else:
                raise ProviderError(
                    f"TinyPSA cannot perform a {change.action} change (it takes daily seat changes only)"
                )
        except (KeyError, ValueError, TypeError) as exc:
            raise ProviderError(
                f"TinyPSA: the {change.action} change for plan {change.agreement_id}, product "
                f"{change.product_id} cannot be written: {exc!r}"
            ) from exc
        log.info(
            "tinypsa.write: action=%s plan=%s product=%s item=%s",
            change.action,
            change.agreement_id,
            change.product_id,
            result.record_id,
        )
        return result

    def _update(self, change: Change) -> WriteResult:
        if change.line_id is None:
            raise ProviderError(f"TinyPSA: {change.action} needs the item id (line_id)")
        body = mapping.patch_body(change)
        if not body:
            return WriteResult(record_id=change.line_id, detail="nothing to change")
        record = self.client.patch_item(change.line_id, body)
        return WriteResult(record_id=record["id"], detail=f"item {record['id']} updated: {', '.join(body)}")

    # -- the rest of the contract ---------------------------------------------------------

    def diagnose(self, scope: Scope) -> list[Check]:
        return doctor.diagnose(self, scope)

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts()

    def tenant_key(self) -> str:
        return f"tinypsa:{tenant(self.endpoint)}"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name, "endpoint": self.endpoint}


def _parsed(
    parse: Callable[[dict[str, Any]], T],
    record: Any,
    damaged: list[Unreadable],
    *,
    agreement_id: Any = None,
    product_id: Any = None,
) -> T | None:
    """The parsed record, or None with an Unreadable listed: only the licences that depend
    on it stop (its plan's, its product's), not the whole read."""
    try:
        return parse(record)
    except mapping.Damaged as exc:
        damaged.append(Unreadable(str(exc), agreement_id=agreement_id, product_id=product_id))
        return None


def _whole_read(parse: Callable[[Any], T], records: Any) -> T:
    """A read that cannot be partly understood (company names, automap's plans)."""
    try:
        return parse(records)
    except mapping.Damaged as exc:
        raise ProviderError(str(exc)) from exc


def _key(record: Any, name: str) -> Any:
    """An id or code to say which licences an unreadable record stops (None: unknown)."""
    value = record.get(name) if isinstance(record, dict) else None
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def _in_scope(line: PsaLine, scope: Scope) -> bool:
    """A mapped product's item that has not ended before the sync date."""
    ended: date | None = line.cancelled_date
    return line.product_id in scope.product_ids and (ended is None or ended >= scope.sync_date)
