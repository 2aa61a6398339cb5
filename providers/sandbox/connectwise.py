"""The emulated ConnectWise Manage REST API (apis/3.0): companies, agreements, additions, catalog."""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from providers.sandbox.cw_listing import count_reply, cw_error, list_reply, public, select_fields
from providers.sandbox.cw_query import LIST_PARAMETERS, check_parameters, selected_fields
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.router import Handler, Route, Router
from providers.sandbox.secret_compare import same_secret
from providers.sandbox.store import WorldStore
from providers.sandbox.vendor_dates import cw_datetime, parse_datetime
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

VENDOR = "connectwise"
BILL_CUSTOMER = ("Billable", "DoNotBill", "NoCharge")
PATCHABLE = frozenset(
    {
        "product",
        "quantity",
        "lessIncluded",
        "unitPrice",
        "unitCost",
        "billCustomer",
        "effectiveDate",
        "cancelledDate",
        "taxableFlag",
        "serialNumber",
        "invoiceDescription",
        "purchaseItemFlag",
        "specialOrderFlag",
        "description",
        "uom",
        "sequenceNumber",
        "prorateCurrentPeriodFlag",
        "opportunity",
        "invoiceGrouping",
        "customFields",
    }
)
DESCRIPTION_LIMIT = 6000
SERIAL_NUMBER_LIMIT = 50  # the Addition model: "Max length: 50"
TEXT_MEMBERS = ("serialNumber", "invoiceDescription", "description", "uom")
FLAG_MEMBERS = ("taxableFlag", "purchaseItemFlag", "specialOrderFlag", "prorateCurrentPeriodFlag")
# What the kept 2026.4 document declares for every answer; the sandbox has that model only.
MEDIA_TYPE = "application/vnd.connectwise.com+json; version=2026.4"
CODEBASE = "v2026_4/"  # what companyinfo names; the sandbox serves any codebase in the URL
SITE_MOUNT = "/connectwise"  # companyinfo lives on the site, outside {codebase}/apis/3.0


class ConnectWiseApi:
    def __init__(self, store: WorldStore):
        self.store = store
        lists = {
            "/company/companies": ("companies", "Company"),
            "/finance/agreements": ("agreements", "Agreement"),
            "/procurement/catalog": ("catalog", "CatalogItem"),
        }
        routes: list[Route] = []
        for path, (name, entity) in lists.items():
            routes += [
                _api("GET", f"{path}/count", partial(self._count, collection=name, entity=entity)),
                _api("GET", path, partial(self._list, collection=name, entity=entity)),
                _api("GET", path + "/{id}", partial(self._item, collection=name, entity=entity), ("fields",)),
            ]
        additions = "/finance/agreements/{id}/additions"
        routes[3:3] = [
            _api("GET", additions + "/count", lambda r: count_reply(r, self._additions(r), "Addition")),
            _api("GET", additions, lambda r: list_reply(r, self._additions(r), "Addition")),
            _api("POST", additions, self._create_addition, (), write=True),
            _api("GET", additions + "/{additionId}", self._addition, ("fields",)),
            _api("PATCH", additions + "/{additionId}", self._patch_addition, (), write=True),
        ]
        routes.append(Route("GET", "/login/companyinfo/{company}", self._company_info))
        self.router = Router(VENDOR, routes)

    def authorize(self, request: Request) -> None:
        if request.mount == SITE_MOUNT:
            return  # codebase discovery needs no credentials
        creds = SANDBOX_CREDENTIALS[VENDOR]
        expected = f"{creds['company_id']}+{creds['public_key']}:{creds['private_key']}"
        given = request.header("authorization") or ""
        scheme, _, token = given.partition(" ")
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if scheme.lower() != "basic" or not same_secret(decoded, expected):
            raise Rejection(
                cw_error(401, "Unauthorized", "The credentials are not valid (company+public key:private key).")
            )
        if not same_secret(request.header("clientid") or "", creds["client_id"]):
            raise Rejection(cw_error(401, "Unauthorized", "A valid clientId header is required."))

    # -- reads --------------------------------------------------------------------------

    def _all(self, collection: str) -> list[dict[str, Any]]:
        return self.store.records(VENDOR, collection)

    def _count(self, request: Request, collection: str, entity: str) -> Reply:
        return count_reply(request, self._all(collection), entity)

    def _list(self, request: Request, collection: str, entity: str) -> Reply:
        return list_reply(request, self._all(collection), entity)

    def _company_info(self, request: Request) -> Reply:
        """`GET {site}/login/companyinfo/{company}`: where the company's codebase is. Clients
        call it first; a company the site does not know is a 404."""
        wanted = request.params["company"]
        if request.mount != SITE_MOUNT or wanted != SANDBOX_CREDENTIALS[VENDOR]["company_id"]:
            raise Rejection(cw_error(404, "NotFound", f"Company {wanted!r} was not found on this site."))
        site = urlsplit(request.base_url).netloc + SITE_MOUNT
        return Reply(
            200,
            {
                "CompanyName": "ncesync sandbox",
                "Codebase": CODEBASE,
                "VersionCode": "v2026.4",
                "VersionNumber": "v4.6.2026.4",
                "CompanyID": wanted,
                "IsCloud": True,
                "SiteUrl": site,
            },
        )

    def _item(self, request: Request, collection: str, entity: str) -> Reply:
        record = public(self._find(collection, request.params["id"]))
        return Reply(200, _selected(request, entity, record))

    def _find(self, collection: str, text_id: str) -> dict[str, Any]:
        record = self.store.find(VENDOR, collection, text_id)
        if record is None or str(record.get("id")) != text_id:
            noun = {
                "companies": "Company",
                "agreements": "Agreement",
                "catalog": "CatalogItem",
                "additions": "Addition",
            }[collection]
            raise Rejection(cw_error(404, "NotFound", f"{noun} with id {text_id} was not found."))
        return record

    def _additions(self, request: Request) -> list[dict[str, Any]]:
        # One request per agreement is how a plan reads additions: scanning every addition
        # of the world for each made a large world's plan quadratic.
        agreement = self._find("agreements", request.params["id"])
        found = self.store.index(VENDOR, "additions", "agreementId").lookup(agreement["id"])
        return [a for a in found if a.get("agreementId") == agreement["id"]]

    def _addition(self, request: Request) -> Reply:
        return Reply(200, _selected(request, "Addition", public(self._addition_record(request))))

    def _addition_record(self, request: Request) -> dict[str, Any]:
        wanted = request.params["additionId"]
        found = next((a for a in self._additions(request) if str(a.get("id")) == wanted), None)
        if found is None:
            raise Rejection(cw_error(404, "NotFound", f"Addition with id {wanted} was not found."))
        return found

    # -- writes -------------------------------------------------------------------------

    def _create_addition(self, request: Request) -> Reply:
        agreement = self._find("agreements", request.params["id"])
        body = request.json(cw_error(400, "InvalidObject", "The request body is not valid JSON."))
        if not isinstance(body, dict):
            raise Rejection(cw_error(400, "InvalidObject", "An Addition object is required."))
        for name in ("product", "billCustomer"):
            if body.get(name) in (None, ""):
                raise Rejection(_invalid(name, f"{name} is required."))
        # Stricter than ConnectWise, which is not documented to refuse them: a member the
        # Addition model does not let a client write (misspelt, another case, read-only) is
        # refused rather than dropped, so a client that sends one fails here, not at an MSP.
        unknown = sorted(k for k in body if k not in PATCHABLE)
        if unknown:
            raise Rejection(_invalid(unknown[0], f"{', '.join(unknown)}: not a member of Addition a client writes."))
        record = dict(body)
        record.update(
            id=self.store.next_id(VENDOR, "additions"),
            agreementId=agreement["id"],
            agreementStatus=agreement.get("agreementStatus", "Active"),
        )
        record.setdefault("quantity", 0)
        record.setdefault("effectiveDate", cw_datetime(self.store.today()))
        self._check(record)
        record["_history"] = [{"recordedOn": self.store.today().isoformat(), "quantity": record["quantity"]}]
        self._all("additions").append(record)
        return Reply(201, public(record))

    def _patch_addition(self, request: Request) -> Reply:
        record = self._addition_record(request)
        ops = request.json(cw_error(400, "InvalidObject", "The request body is not valid JSON."))
        if not isinstance(ops, list) or not ops:
            raise Rejection(cw_error(400, "InvalidObject", "A PATCH body is a list of patch operations."))
        changed = dict(record)
        for op in ops:
            _apply_op(changed, op)
        self._check(changed)
        if changed.get("quantity") != record.get("quantity"):
            _record_quantity(changed, self.store.today().isoformat())
        record.clear()
        record.update(changed)
        return Reply(200, public(record))

    def _check(self, record: dict[str, Any]) -> None:
        product = record.get("product")
        if not isinstance(product, dict):
            raise Rejection(_invalid("product", "product must be an object with id or identifier."))
        item = next(
            (
                c
                for c in self._all("catalog")
                if c.get("id") == product.get("id")
                or (product.get("id") is None and c.get("identifier") == product.get("identifier"))
            ),
            None,
        )
        if item is None:
            raise Rejection(_invalid("product", f"product {product} is not in the catalog."))
        record["product"] = {"id": item["id"], "identifier": item["identifier"]}
        if record.get("billCustomer") not in BILL_CUSTOMER:
            raise Rejection(_invalid("billCustomer", f"billCustomer must be one of {', '.join(BILL_CUSTOMER)}."))
        for name in ("quantity", "unitPrice", "unitCost", "lessIncluded", "sequenceNumber"):
            value = record.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise Rejection(_invalid(name, f"{name} must be a number."))
        for name in ("effectiveDate", "cancelledDate"):
            if record.get(name) is not None:
                try:
                    parse_datetime(str(record[name]))
                except ValueError as exc:
                    raise Rejection(_invalid(name, f"{name} is not a date-time.")) from exc
        for name in TEXT_MEMBERS:
            if record.get(name) is not None and not isinstance(record[name], str):
                raise Rejection(_invalid(name, f"{name} must be a string."))
        for name in FLAG_MEMBERS:
            if record.get(name) is not None and not isinstance(record[name], bool):
                raise Rejection(_invalid(name, f"{name} must be true or false."))
        if len(record.get("serialNumber") or "") > SERIAL_NUMBER_LIMIT:
            raise Rejection(_invalid("serialNumber", f"serialNumber is longer than {SERIAL_NUMBER_LIMIT}."))
        if len(str(record.get("invoiceDescription") or "")) > DESCRIPTION_LIMIT:
            raise Rejection(_invalid("invoiceDescription", f"invoiceDescription is longer than {DESCRIPTION_LIMIT}."))
        quantity = Decimal(str(record.get("quantity") or 0))
        for ext, unit in (("extPrice", "unitPrice"), ("extCost", "unitCost")):
            record[ext] = float(quantity * Decimal(str(record.get(unit) or 0)))


def _api(
    method: str, pattern: str, handler: Handler, parameters: tuple[str, ...] = LIST_PARAMETERS, *, write: bool = False
) -> Route:
    """A route under apis/3.0: its query parameters checked first, its answer typed as the
    document's media type."""

    def typed(request: Request) -> Reply:
        if request.mount == SITE_MOUNT:
            raise Rejection(cw_error(404, "NotFound", f"{request.path} is not a page of the site."))
        check_parameters(request, parameters)
        reply = handler(request)
        return replace(reply, content_type=MEDIA_TYPE) if reply.status < 300 else reply

    return Route(method, pattern, typed, write=write)


def _selected(request: Request, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    return select_fields(selected_fields(request, entity), record)


def _apply_op(record: dict[str, Any], op: Any) -> None:
    if not isinstance(op, dict) or op.get("op") not in ("replace", "add", "remove") or "path" not in op:
        raise Rejection(cw_error(400, "InvalidObject", f"Invalid patch operation: {op!r}."))
    name = str(op["path"]).lstrip("/").split("/")[0]
    if name not in PATCHABLE:
        raise Rejection(_invalid(name, f"{name!r} cannot be patched on an Addition."))
    if op["op"] == "remove":
        record.pop(name, None)
    elif "value" not in op:
        raise Rejection(cw_error(400, "InvalidObject", f"Patch operation on {name} has no value."))
    else:
        record[name] = op["value"]


def _record_quantity(record: dict[str, Any], today: str) -> None:
    """Keep the dated quantity history the invoice simulation replays."""
    history = [h for h in record.get("_history", []) if h.get("recordedOn") != today]
    history.append({"recordedOn": today, "quantity": record.get("quantity")})
    record["_history"] = history


def _invalid(field: str, message: str) -> Reply:
    return cw_error(400, "InvalidObject", message, field=field, resource="Addition")
