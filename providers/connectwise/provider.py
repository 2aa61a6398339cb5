"""ConnectWise Manage as a target: agreements and their additions, through the REST client.

What a read covers: the companies and agreements in scope, the additions of those agreements
whose catalog identifier is a mapped product, and those products' catalog items. Monthly
copies of invoice lines are one-day additions, usually dated before the sync date; they are
read back for `charge_lookback_days` so a rerun recognises the invoice lines already copied.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypedDict
from urllib.parse import urlsplit

from providers.connectwise import doctor, mapping
from providers.connectwise.client import DEFAULT_CODEBASE, DEFAULT_PARALLELISM, ConnectWiseClient
from providers.endpoint import endpoint_url, sandbox_endpoint
from providers.http import RetryPolicy
from providers.options import timeouts, whole_number
from providers.record import number, numbered, record_id
from providers.unreadable import UnreadableRecords
from reconciler.errors import ConfigError, ProviderError
from reconciler.model import Agreement, Check, ProviderConfig, PsaId, PsaLine, PsaState, Scope
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
from reconciler.secrets import resolve

log = logging.getLogger(__name__)

DEFAULT_CHARGE_LOOKBACK_DAYS = 93  # about three monthly invoices
_CREATES = (actions.CREATE_LINE, actions.CREATE_DELTA, actions.CREATE_CHARGE)
_UPDATES = (actions.SET_QUANTITY, actions.UPDATE_LINE)


class ConnectWiseProvider(TargetProvider):
    name = "connectwise"
    # Without proration the main addition's quantity is set; an agreement with its Prorate
    # flag on gets dated delta additions, which ConnectWise prorates itself.
    capabilities = Capabilities(
        seat_model=SeatModel.QUANTITY,
        prorated_seat_model=SeatModel.DELTA_LINES,
        prorate_source=ProrateSource.AGREEMENT,
        description_limit=mapping.INVOICE_DESCRIPTION_LIMIT,
        sync_types=frozenset({"daily", "monthly"}),
        prorate_splits_one_off_lines=True,
        words=Words(psa="ConnectWise", agreement="agreement", line="addition"),
    )

    def __init__(
        self,
        client: ConnectWiseClient,
        *,
        site: str = "",
        company_id: str = "",
        charge_lookback_days: int = DEFAULT_CHARGE_LOOKBACK_DAYS,
    ):
        self.client = client
        self.site = site
        self.company_id = company_id
        self.charge_lookback = timedelta(days=max(0, int(charge_lookback_days)))
        self._catalog_ids: dict[str, int] = {}  # identifier -> catalog item id, from reads

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> ConnectWiseProvider:
        options = config.options
        site, credentials = _site_and_credentials(config, context)
        client = ConnectWiseClient(
            site,
            codebase=str(options.get("codebase") or DEFAULT_CODEBASE),
            timeout=timeouts(options.get("timeout")),
            retry=RetryPolicy(),
            parallelism=whole_number(options.get("parallelism", DEFAULT_PARALLELISM), "psa.parallelism"),
            **credentials,
        )
        return cls(
            client,
            site=config.endpoint.rstrip("/"),  # "sandbox" stays stable across sandbox ports
            company_id=credentials["company_id"],
            charge_lookback_days=whole_number(
                options.get("charge_lookback_days", DEFAULT_CHARGE_LOOKBACK_DAYS),
                "psa.charge_lookback_days",
                minimum=0,
            ),
        )

    # -- read -----------------------------------------------------------------------------

    def read(self, scope: Scope) -> PsaState:
        unreadable = UnreadableRecords()
        company_ids, agreement_ids = numbered(scope.company_ids), numbered(scope.agreement_ids)
        companies: dict[PsaId, str] = (
            mapping.companies_from_json(self.client.companies(company_ids)) if company_ids else {}
        )
        agreements: dict[PsaId, Agreement] = {}
        if agreement_ids:
            for record in self.client.agreements(agreement_ids):
                agreement = unreadable.parse(mapping.agreement_from_json, record, agreement_id=record_id(record))
                if agreement is not None and agreement.id in agreement_ids:
                    agreements[agreement.id] = agreement
        lines = self._lines(sorted(numbered(agreements)), scope, unreadable) if scope.product_ids else ()
        catalog = {}
        if scope.product_ids:
            for record in self.client.catalog_items(scope.product_ids):
                item = unreadable.parse(mapping.catalog_item_from_json, record, product_id=_identifier(record))
                if item is not None and item.product_id in scope.product_ids and item.product_id not in catalog:
                    catalog[item.product_id] = item
        self._catalog_ids.update({key: number(item.id) for key, item in catalog.items()})
        log.info(
            "connectwise.read: companies=%d agreements=%d lines=%d catalog=%d unreadable=%d",
            len(companies),
            len(agreements),
            len(lines),
            len(catalog),
            len(unreadable.found),
        )
        return PsaState(
            companies=companies, agreements=agreements, lines=lines, catalog=catalog, unreadable=unreadable.result()
        )

    def companies(self) -> dict[PsaId, CompanyInfo]:
        names = mapping.companies_from_json(self.client.all_companies())
        agreements: dict[PsaId, list[Agreement]] = {}
        for record in self.client.active_agreements():
            agreement = mapping.agreement_from_json(record)
            if agreement.is_active:  # the condition already asks for it; a server may not filter
                agreements.setdefault(agreement.company_id, []).append(agreement)
        log.info(
            "connectwise.companies: companies=%d agreements=%d", len(names), sum(len(a) for a in agreements.values())
        )
        return {
            cid: CompanyInfo(cid, name, tuple(sorted(agreements.get(cid, []), key=lambda a: a.id)))
            for cid, name in sorted(names.items())
        }

    def _lines(self, agreement_ids: list[int], scope: Scope, unreadable: UnreadableRecords) -> tuple[PsaLine, ...]:
        since = scope.sync_date - (self.charge_lookback or timedelta(0))
        additions = self.client.additions_of(agreement_ids, since=since)
        # An addition we cannot read might be the licence's line: its product's licences (or
        # the agreement's, when even the product is unreadable) stop, not the whole read.
        parsed = [
            unreadable.parse(
                mapping.line_from_json,
                record,
                agreement_id,
                agreement_id=agreement_id,
                product_id=_identifier((record or {}).get("product")),
            )
            for agreement_id, records in additions.items()
            for record in records
        ]
        lines = [ln for ln in parsed if ln is not None]
        kept = [ln for ln in lines if ln.product_id in scope.product_ids and _in_scope(ln, scope.sync_date)]
        return tuple(sorted(kept, key=lambda ln: (ln.agreement_id, ln.id)))

    # -- write ----------------------------------------------------------------------------

    @property
    def write_parallelism(self) -> int:
        """As many writes at once as reads (`parallelism`): ConnectWise publishes no limit,
        and answers 429 with Retry-After when it wants fewer, which a write waits out."""
        return self.client.parallelism

    def write(self, change: Change) -> WriteResult:
        try:
            if change.action in _CREATES:
                return self._create(change)
            if change.action in _UPDATES:
                return self._update(change)
        except (KeyError, ValueError, TypeError) as exc:
            raise ProviderError(
                f"ConnectWise: the {change.action} change for agreement {change.agreement_id}, "
                f"product {change.product_id} cannot be written: {exc!r}"
            ) from exc
        raise ProviderError(f"ConnectWise cannot perform a {change.action} change")

    def _create(self, change: Change) -> WriteResult:
        body = mapping.addition_body(change, self._catalog_id(change))
        record = self.client.create_addition(number(change.agreement_id), body)
        record_id = record.get("id")
        log.info(
            "connectwise.write: action=%s agreement=%s product=%s addition=%s",
            change.action,
            change.agreement_id,
            change.product_id,
            record_id,
        )
        return WriteResult(record_id=record_id, detail=f"addition {record_id} created")

    def _update(self, change: Change) -> WriteResult:
        if change.line_id is None:
            raise ProviderError(f"ConnectWise: {change.action} needs the addition id (line_id)")
        operations = mapping.patch_operations(change)
        if not operations:
            return WriteResult(record_id=change.line_id, detail="nothing to change")
        record = self.client.patch_addition(number(change.agreement_id), number(change.line_id), operations)
        log.info(
            "connectwise.write: action=%s agreement=%s addition=%s fields=%s",
            change.action,
            change.agreement_id,
            change.line_id,
            ",".join(op["path"].lstrip("/") for op in operations),
        )
        return WriteResult(record_id=record.get("id", change.line_id), detail="addition updated")

    def _catalog_id(self, change: Change) -> int:
        if change.after.get("catalog_id") is not None:
            return int(change.after["catalog_id"])
        if change.product_id not in self._catalog_ids:
            for record in self.client.catalog_items([change.product_id]):
                item = mapping.catalog_item_from_json(record)
                self._catalog_ids.setdefault(item.product_id, number(item.id))
        if change.product_id not in self._catalog_ids:
            raise ProviderError(
                f"ConnectWise: no catalog item with identifier {change.product_id!r}; "
                "create it in Procurement > Product Catalog or fix psa_product"
            )
        return self._catalog_ids[change.product_id]

    # -- the rest of the contract ---------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts()

    def diagnose(self, scope: Scope) -> list[Check]:
        return doctor.diagnose(self.client, self.company_id, scope)

    def tenant_key(self) -> str:
        """The site and company: one ConnectWise tenant. The company id is a credential (it
        is half of the API user name), so only a hash of it goes into lock names."""
        company = hashlib.sha256(self.company_id.strip().lower().encode()).hexdigest()[:12]
        return f"connectwise:{_host(self.site)}:{company}"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name, "site": self.site, "base_url": self.client.base_url}


def _identifier(record: Any) -> str | None:
    """A catalog item's (or product reference's) identifier when it is readable text."""
    value = record.get("identifier") if isinstance(record, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _host(site: str) -> str:
    """The site's host name (`sandbox` for the sandbox): the same tenant however its URL is
    written (scheme, case, a trailing slash)."""
    return (urlsplit(site).hostname or site).lower()


def _in_scope(line: PsaLine, sync_date: date) -> bool:
    """Main and delta lines cancelled before the sync date no longer bill; charges are kept
    so that a rerun of the monthly sync sees the invoice lines it already copied."""
    cancelled = line.cancelled_date
    return line.kind == CHARGE or cancelled is None or cancelled >= sync_date


class Credentials(TypedDict):
    """Whom the client signs in as: its keyword arguments of the same names."""

    company_id: str
    public_key: str
    private_key: str
    client_id: str


def _credentials(value: Callable[[str], str]) -> Credentials:
    """Each setting's value, asked for in this order (the first one missing is the one reported)."""
    return Credentials(
        company_id=value("company_id"),
        public_key=value("public_key"),
        private_key=value("private_key"),
        client_id=value("client_id"),
    )


def _site_and_credentials(config: ProviderConfig, context: ProviderContext) -> tuple[str, Credentials]:
    if config.is_sandbox:
        site, sandbox = sandbox_endpoint(context, "connectwise", "psa")
        return site, _credentials(sandbox.__getitem__)
    site = endpoint_url(
        config.endpoint,
        setting="psa.endpoint",
        example="https://api-na.myconnectwise.net",
        expected="is neither 'sandbox' nor a site URL like",
    )
    if "/apis/" in site:
        raise ConfigError(
            "psa.endpoint is the site URL only (https://api-na.myconnectwise.net); put the codebase in psa.codebase"
        )
    credentials = _credentials(lambda key: resolve(config.options.get(key), context.environ, setting=f"psa.{key}"))
    return site, credentials
