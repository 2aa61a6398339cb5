"""The emulated Xero APIs: the identity service (`/identity/connect/token`, `/connections`)
and the Accounting API (`/api.xro/2.0`): repeating invoices, items, contacts and invoices,
in Xero's shapes (PascalCase, `/Date(ms+0000)/` dates, `{"Invoices": [...]}` envelopes,
validation errors as `Elements[].ValidationErrors`).

World section `xero`: `contacts`, `items`, `repeatingInvoices`, `invoices`, records as Xero
sends them, plus bookkeeping members starting with `_` that are never sent (`_createdBy`:
an invoice made through the API rather than by the scheduler; `_addedOn`: the day a line
was added to a repeating invoice). Paths are case-insensitive, as Xero's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.router import Route, Router
from providers.sandbox.store import WorldStore
from providers.sandbox.vendor_dates import parse_date, parse_datetime, xero_date
from providers.sandbox.xero_identity import VENDOR, XeroIdentity, XeroLimits
from providers.sandbox.xero_records import (
    INVOICE_FIELDS,
    TEMPLATE_FIELDS,
    one_record,
    priced_lines,
    problem,
    public,
    totals,
    validation_error,
)
from providers.sandbox.xero_schedule import generate_due
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

API = "/api.xro/2.0"
Record = dict[str, Any]
PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
EDITABLE = ("DRAFT", "SUBMITTED")
LISTING = {
    "Contacts": ("IDs", "page", "pageSize", "includeArchived", "summaryOnly"),
    "Invoices": (
        "IDs",
        "ContactIDs",
        "Statuses",
        "createdByMyApp",
        "page",
        "pageSize",
        "includeArchived",
        "summaryOnly",
        "unitdp",
    ),
}


class XeroApi:
    def __init__(self, store: WorldStore, identity: XeroIdentity, limits: XeroLimits):
        self.store, self.identity, self.limits = store, identity, limits
        api = self._api
        self.router = Router(
            VENDOR,
            [
                Route("POST", "/identity/connect/token", identity.token),
                Route("GET", "/connections", self._connections),
                api("GET", "/RepeatingInvoices", self._templates),
                api("GET", "/RepeatingInvoices/{id}", self._template),
                api("POST", "/RepeatingInvoices/{id}", self._save_template, ("summarizeErrors",), write=True),
                api("GET", "/Items", self._items, ("unitdp",)),
                api("GET", "/Contacts", self._contacts, LISTING["Contacts"]),
                api("GET", "/Invoices", self._invoices, LISTING["Invoices"]),
                api("PUT", "/Invoices", self._create_invoices, ("summarizeErrors", "unitdp"), write=True),
                api("GET", "/Invoices/{id}", self._invoice, ("unitdp",)),
                api("POST", "/Invoices/{id}", self._save_invoice, ("unitdp",), write=True),
            ],
            ignore_case=True,
        )

    def authorize(self, request: Request) -> None:
        path = request.path.lower()
        if path.startswith("/identity/"):
            return  # the client id and secret are the credentials there
        self.identity.check(request, tenant=path.startswith(API.lower()))

    def _api(
        self,
        method: str,
        pattern: str,
        handler: Callable[[Request], Reply],
        parameters: tuple[str, ...] = (),
        *,
        write: bool = False,
    ) -> Route:
        """An accounting route: counted against the limits, the scheduler run first, its
        query parameters the emulated ones, the limits' headers on every answer."""

        def run(request: Request) -> Reply:
            headers = self.limits.admit(self.store.today())
            if generate_due(self._world(), self.store.today()):
                self.store.written()
            unknown = sorted(set(request.query) - set(parameters))
            try:
                if unknown:
                    raise Rejection(
                        validation_error([f"the sandbox does not emulate the parameter(s) {', '.join(unknown)}"])
                    )
                reply = handler(request)
            except Rejection as refused:
                reply = refused.reply
            return replace(reply, headers={**reply.headers, **headers})

        return Route(method, API + pattern, run, write=write)

    def _world(self) -> dict[str, Any]:
        world: dict[str, Any] = self.store.data.setdefault(VENDOR, {})
        return world

    def _all(self, name: str) -> list[Record]:
        return self.store.records(VENDOR, name)

    # -- identity ----------------------------------------------------------------------

    def _connections(self, request: Request) -> Reply:
        stamp = "2024-01-01T00:00:00.0000000"
        return Reply(
            200,
            [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "ncesync-sandbox-connection")),
                    "authEventId": str(uuid.uuid5(uuid.NAMESPACE_URL, "ncesync-sandbox-auth")),
                    "tenantId": SANDBOX_CREDENTIALS[VENDOR]["tenant_id"],
                    "tenantType": "ORGANISATION",
                    "tenantName": "ncesync sandbox",
                    "createdDateUtc": stamp,
                    "updatedDateUtc": stamp,
                }
            ],
        )

    # -- repeating invoices --------------------------------------------------------------

    def _templates(self, request: Request) -> Reply:
        return Reply(
            200,
            {"RepeatingInvoices": [public(t) for t in self._all("repeatingInvoices") if t.get("Status") != "DELETED"]},
        )

    def _template(self, request: Request) -> Reply:
        return Reply(
            200, {"RepeatingInvoices": [public(self._find("repeatingInvoices", "RepeatingInvoiceID", request))]}
        )

    def _save_template(self, request: Request) -> Reply:
        stored = self._find("repeatingInvoices", "RepeatingInvoiceID", request)
        body = one_record(request.json(validation_error(["The body is not valid JSON"])), "RepeatingInvoices")
        if body.get("RepeatingInvoiceID") and str(body["RepeatingInvoiceID"]).lower() != stored["RepeatingInvoiceID"]:
            raise Rejection(validation_error(["RepeatingInvoiceID does not match the URL"]))
        if stored.get("Status") == "DELETED":
            raise Rejection(
                validation_error(
                    ["This repeating invoice has been deleted and cannot be changed"],
                )
            )
        changed = dict(stored)
        changed.update({k: body[k] for k in TEMPLATE_FIELDS if body.get(k) is not None})
        if "LineItems" in body:
            lines = priced_lines(
                body["LineItems"], stored.get("LineItems") or [], self._all("items"), kind="repeating invoice"
            )
            for line in lines:
                line.setdefault("_addedOn", self.store.today().isoformat())
            changed["LineItems"] = lines
        schedule = dict(stored.get("Schedule") or {})
        schedule["StartDate"] = schedule.get("NextScheduledDate")  # a new version of the template starts
        changed["Schedule"] = schedule
        totals(changed)
        stored.clear()
        stored.update(changed)
        return Reply(200, {"RepeatingInvoices": [public(stored)]})

    # -- items and contacts ---------------------------------------------------------------

    def _items(self, request: Request) -> Reply:
        return Reply(200, {"Items": [public(i) for i in self._all("items")]})

    def _contacts(self, request: Request) -> Reply:
        ids = _id_list(request.param("IDs"))
        archived = (request.param("includeArchived") or "").lower() == "true"
        found = [
            c
            for c in self._all("contacts")
            if (not ids or c["ContactID"].lower() in ids) and (archived or c.get("ContactStatus", "ACTIVE") == "ACTIVE")
        ]
        return _page(request, "Contacts", found)

    # -- invoices ---------------------------------------------------------------------------

    def _invoices(self, request: Request) -> Reply:
        ids, contacts = _id_list(request.param("IDs")), _id_list(request.param("ContactIDs"))
        statuses = {s.strip().upper() for s in (request.param("Statuses") or "").split(",") if s.strip()}
        ours = (request.param("createdByMyApp") or "").lower() == "true"
        since = _since(request.header("if-modified-since"))
        found = [
            i
            for i in self._all("invoices")
            if (not ids or i["InvoiceID"].lower() in ids)
            and (not contacts or i["Contact"]["ContactID"].lower() in contacts)
            and (not statuses or i.get("Status") in statuses)
            and (not ours or i.get("_createdBy"))
            and (since is None or parse_date(i.get("UpdatedDateUTC") or i["Date"]) >= since)
        ]
        return _page(request, "Invoices", found)

    def _invoice(self, request: Request) -> Reply:
        return Reply(200, {"Invoices": [public(self._find("invoices", "InvoiceID", request))]})

    def _create_invoices(self, request: Request) -> Reply:
        body = request.json(validation_error(["The body is not valid JSON"]))
        records = body.get("Invoices") if isinstance(body, dict) else None
        if not isinstance(records, list) or not records:
            raise Rejection(validation_error(["The body must hold the invoices in Invoices"]))
        made = [self._new_invoice(r) for r in records]
        self._all("invoices").extend(made)
        return Reply(200, {"Invoices": [public(i) for i in made]})

    def _new_invoice(self, body: Any) -> Record:
        if not isinstance(body, dict):
            raise Rejection(validation_error(["An invoice must be an object"]))
        record = {k: body[k] for k in INVOICE_FIELDS if body.get(k) is not None}
        problems = self._invoice_problems(record)
        if problems:
            raise Rejection(validation_error(problems))
        contact = next(
            c for c in self._all("contacts") if c["ContactID"].lower() == record["Contact"]["ContactID"].lower()
        )
        today = self.store.today()
        record.update(
            InvoiceID=str(uuid.uuid4()),
            Contact={"ContactID": contact["ContactID"], "Name": contact.get("Name", "")},
            Status=record.get("Status", "DRAFT"),
            Date=xero_date(_day(record.get("Date"), today)),
            LineAmountTypes=record.get("LineAmountTypes", "Exclusive"),
            CurrencyCode=record.get("CurrencyCode", "NZD"),
            UpdatedDateUTC=xero_date(today),
            HasAttachments=False,
            _createdBy="ncesync",
            LineItems=priced_lines(body.get("LineItems") or [], [], self._all("items"), kind="invoice"),
        )
        if record["Type"] == "ACCREC" and not record.get("InvoiceNumber"):
            record["InvoiceNumber"] = (
                f"INV-{1 + sum(1 for i in self._all('invoices') if i.get('Type') == 'ACCREC'):05d}"
            )
        totals(record)
        return record

    def _invoice_problems(self, record: Record) -> list[str]:
        problems = []
        if record.get("Type") not in ("ACCREC", "ACCPAY"):
            problems.append("Invoice Type must be ACCREC or ACCPAY")
        contact_id = str((record.get("Contact") or {}).get("ContactID") or "").lower()
        if not any(c["ContactID"].lower() == contact_id for c in self._all("contacts")):
            problems.append("A Contact must be specified for this type of transaction")
        if record.get("Status", "DRAFT") not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
            problems.append(f"Invoice Status {record.get('Status')!r} cannot be set on a new invoice")
        return problems

    def _save_invoice(self, request: Request) -> Reply:
        stored = self._find("invoices", "InvoiceID", request)
        body = one_record(request.json(validation_error(["The body is not valid JSON"])), "Invoices")
        if stored.get("Status") not in EDITABLE and "LineItems" in body:
            raise Rejection(
                validation_error(["Invoice not of valid status for modification"], InvoiceID=stored["InvoiceID"])
            )
        if body.get("Status") is not None and body["Status"] not in INVOICE_STATUSES:
            raise Rejection(
                validation_error([f"Invoice Status {body['Status']!r} is not valid"], InvoiceID=stored["InvoiceID"])
            )
        changed = dict(stored)
        changed.update({k: body[k] for k in ("Reference", "DueDate", "Status") if body.get(k) is not None})
        if "LineItems" in body:
            changed["LineItems"] = priced_lines(
                body["LineItems"], stored.get("LineItems") or [], self._all("items"), kind="invoice"
            )
        changed["UpdatedDateUTC"] = xero_date(self.store.today())
        totals(changed)
        stored.clear()
        stored.update(changed)
        return Reply(200, {"Invoices": [public(stored)]})

    def _find(self, collection: str, id_field: str, request: Request) -> Record:
        wanted = request.params["id"].lower()
        found = next((r for r in self._all(collection) if str(r.get(id_field)).lower() == wanted), None)
        if found is None:
            raise Rejection(problem(404, "NotFound", f"The resource you're looking for cannot be found ({wanted})"))
        return found


def _id_list(value: str | None) -> set[str]:
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


def _since(value: str | None) -> date | None:
    try:
        return parse_datetime(value).date() if value else None
    except ValueError:
        raise Rejection(validation_error([f"If-Modified-Since {value!r} is not a date"])) from None


def _day(value: Any, default: date) -> date:
    try:
        return parse_date(str(value)) if value else default
    except ValueError:
        raise Rejection(validation_error([f"Date {value!r} is not a date"])) from None


def _page(request: Request, key: str, records: list[Record]) -> Reply:
    try:
        page = max(1, int(request.param("page") or 1))
        size = int(request.param("pageSize") or PAGE_SIZE)
    except ValueError:
        raise Rejection(validation_error(["page and pageSize must be whole numbers"])) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Rejection(validation_error([f"pageSize must be between 1 and {MAX_PAGE_SIZE}"]))
    shown = records[(page - 1) * size : page * size]
    count = max(1, -(-len(records) // size))
    return Reply(
        200,
        {
            "pagination": {"page": page, "pageSize": size, "pageCount": count, "itemCount": len(records)},
            key: [public(r) for r in shown],
        },
    )
