"""Dicker Data as the source of truth: the B2B API, or a folder of portal export files.

Settings (the `source:` block of settings.yaml; see docs/dickerdata.md):

    source:
      provider: dickerdata
      endpoint: https://b2b-api.dickerdata.com.au   # or sandbox, or files
      account_code: env:DD_ACCOUNT_CODE
      access_token: env:DD_ACCESS_TOKEN
      key_transport: body            # or header: how calls carry the access key
      timeout: 60                    # seconds per call
      folder: dd-exports             # endpoint: files only, relative to the deployment
      read_invoices: false           # read invoices on every run, not only when asked
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from providers.dickerdata import mapping, values
from providers.dickerdata.client import DEFAULT_BASE_URL, DickerDataClient
from providers.dickerdata.exports import ExportFolder
from providers.dickerdata.transport import KeyTransport
from providers.endpoint import endpoint_url, sandbox_endpoint
from providers.options import timeouts
from reconciler import secrets
from reconciler.errors import ConfigError, ProviderError, ReconcilerError, SourceError
from reconciler.model import Check, Inventory, Invoice, ProviderConfig, Scope, Subscription
from reconciler.provider import ProviderContext, SourceProvider

log = logging.getLogger(__name__)

FILES = "files"
SANDBOX = "sandbox"


class DickerDataProvider(SourceProvider):
    """Reads subscriptions (and, for monthly sync, invoices) completely, or raises SourceError."""

    name = "dickerdata"

    def __init__(
        self,
        *,
        client: DickerDataClient | None = None,
        folder: ExportFolder | None = None,
        read_invoices: bool = False,
    ):
        if (client is None) == (folder is None):
            raise ValueError("give exactly one of client and folder")
        self.client = client
        self.folder = folder
        self.read_invoices = read_invoices

    @classmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> DickerDataProvider:
        options = dict(config.options or {})
        read_invoices = _option_flag(options, "read_invoices")
        endpoint = (config.endpoint or "").strip()
        if endpoint == FILES:
            folder = options.get("folder")
            if not folder:
                raise ConfigError("source.folder is not set; endpoint: files needs the export folder")
            path = Path(context.root) / str(folder)
            return cls(folder=ExportFolder(path, str(folder)), read_invoices=read_invoices)
        key_transport = KeyTransport.named(options.get("key_transport"))
        if endpoint == SANDBOX:
            base_url, account, token = _sandbox(context)
        else:
            if endpoint and not endpoint.startswith(("http://", "https://")):
                raise ConfigError(f"source.endpoint {endpoint!r} is not sandbox, files or an http(s) base URL")
            base_url = endpoint_url(endpoint or DEFAULT_BASE_URL, setting="source.endpoint", example=DEFAULT_BASE_URL)
            account = _secret(options, "account_code", context)
            token = _secret(options, "access_token", context)
        client = DickerDataClient(
            base_url,
            account_code=account,
            access_token=token,
            key_transport=key_transport,
            timeout=timeouts(options.get("timeout"), "source.timeout"),
        )
        return cls(client=client, read_invoices=read_invoices)

    def read(self, scope: Scope) -> Inventory:
        with_invoices = self.read_invoices or scope.with_invoices
        if self.folder is not None:
            return self.folder.read(scope, with_invoices=with_invoices)
        assert self.client is not None
        subs = self._subscriptions(self.client, scope)
        invoices = self._invoices(self.client, scope) if with_invoices else ()
        log.info("dickerdata: read subscriptions=%d invoices=%d", len(subs), len(invoices))
        return Inventory(customers=mapping.customers(subs), subscriptions=tuple(subs), invoices=invoices)

    def request_counts(self) -> dict[str, int]:
        return self.client.request_counts() if self.client is not None else {}

    def diagnose(self, scope: Scope) -> list[Check]:
        """Doctor: the credentials (or the export folder), and that every mapped customer
        has subscriptions. Reads only."""
        if self.client is not None:
            try:
                self.client.access_key()
            except ReconcilerError as exc:
                return [
                    Check(
                        "source credentials",
                        False,
                        str(exc),
                        "check source.account_code and "
                        "source.access_token (the Dicker Data API account code and access token)",
                    )
                ]
            checks = [Check("source credentials", True, "Dicker Data granted an access key")]
        else:
            checks = []
        try:
            inventory = self.read(replace(scope, with_invoices=False))
        except ReconcilerError as exc:
            fix = "check source.folder and the export files in it" if self.folder else "see the error"
            return [*checks, Check("source subscriptions", False, str(exc), fix)]
        where = "files in the export folder" if self.folder else "Dicker Data"
        checks.append(
            Check("source subscriptions", True, f"{len(inventory.subscriptions)} subscriptions read from {where}")
        )
        listed = {s.tenant_id for s in inventory.subscriptions}
        missing = sorted(scope.tenant_ids - listed)
        found = len(scope.tenant_ids) - len(missing)
        detail = f"{found} of {len(scope.tenant_ids)} mapped customers have subscriptions"
        checks.append(
            Check(
                "mapped customers",
                not missing,
                detail + (f"; none for {', '.join(missing[:5])}" if missing else ""),
                "check dd_customer_id in specs/clients/ (the customer's tenant id in Dicker Data)",
            )
        )
        if self.client is not None:
            checks.append(Check("source request budget", True, "Dicker Data publishes no request quota"))
        return checks

    # -- API reads ---------------------------------------------------------------------

    def _subscriptions(self, client: DickerDataClient, scope: Scope) -> list[Subscription]:
        where = f"{client.vendor} GetSubscriptionDetails"
        if scope.full_run:
            subs = mapping.subscriptions(client.subscription_details(), where)
            if not subs:
                log.warning("dickerdata: the account lists no subscriptions at all")
        else:
            subs = []
            for tenant in sorted(scope.tenant_ids):
                tenant_where = f"{where} TenantID {tenant}"
                found = mapping.subscriptions(client.subscription_details(tenant), tenant_where)
                strangers = sorted({s.tenant_id for s in found} - {tenant})
                if strangers:
                    raise SourceError(
                        f"{tenant_where}: the answer lists other tenants too "
                        f"({', '.join(strangers)}); "
                        "the API did not apply the tenant filter"
                    )
                subs.extend(found)
        _refuse_duplicates(subs, where)
        return subs

    def _invoices(self, client: DickerDataClient, scope: Scope) -> tuple[Invoice, ...]:
        numbers = sorted(scope.invoice_numbers)
        asked = bool(numbers)
        if not numbers:
            start, end = invoice_window(scope.sync_date)
            where = f"{client.vendor} Account/Invoice"
            refs = mapping.invoice_refs(client.invoices(start, end), where)
            numbers = sorted({ref.number for ref in refs})
        invoices = []
        for number in numbers:
            where = f"{client.vendor} Account/InvoiceDetails {number}"
            try:
                answer = client.invoice_details(number)
            except ProviderError as error:
                if asked and error.status == 404:  # a typo in --invoice, not a setup problem
                    raise SourceError(
                        f"Dicker Data has no invoice {number!r} (check the number given to --invoice)"
                    ) from None
                raise
            invoice = mapping.invoice(answer, where)
            if invoice.number != number:
                raise SourceError(f"{where}: the answer is for invoice {invoice.number}")
            if not scope.full_run:
                lines = tuple(line for line in invoice.lines if line.tenant_id in scope.tenant_ids)
                if not lines:
                    continue  # an invoice of other clients only: not this run's business
                invoice = Invoice(number=invoice.number, date=invoice.date, lines=lines)
            invoices.append(invoice)
        return tuple(invoices)


def invoice_window(sync_date: date) -> tuple[date, date]:
    """From the first day of the previous month to the sync date.

    DD issues one consolidated invoice early each month for the month before, so this
    window always holds the latest invoice, and the one before when a run is early.
    """
    first_of_month = sync_date.replace(day=1)
    previous = (first_of_month - timedelta(days=1)).replace(day=1)
    return previous, sync_date


def _refuse_duplicates(subs: list[Subscription], where: str) -> None:
    seen: set[tuple[str, str]] = set()
    for sub in subs:
        key = (sub.subscription_id, sub.stock_code)
        if key in seen:
            raise SourceError(
                f"{where}: subscription {sub.subscription_id} ({sub.stock_code}) is listed twice; "
                "refusing to count its seats twice"
            )
        seen.add(key)


def _sandbox(context: ProviderContext) -> tuple[str, str, str]:
    base_url, credentials = sandbox_endpoint(context, "dickerdata", "source")
    return base_url, credentials["account_code"], credentials["access_token"]


def _option_flag(options: dict[str, Any], name: str) -> bool:
    try:
        return values.flag(options.get(name, False))
    except ValueError:
        raise ConfigError(f"source.{name} is {options.get(name)!r}; expected true or false") from None


def _secret(options: dict[str, Any], name: str, context: ProviderContext) -> str:
    return secrets.resolve(options.get(name), context.environ, setting=f"source.{name}")
