"""The emulated Autotask REST API (atservicesrest/v1.0): queries, contract services, charges."""

from __future__ import annotations

import hmac
import json
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import quote

from providers.sandbox.autotask_dates import DATE_FIELDS, DatabaseDates, canonical
from providers.sandbox.autotask_query import Query, QueryError, indexed_candidates, predicate_of
from providers.sandbox.autotask_records import CHILD_OF_CONTRACT, EntityShape
from providers.sandbox.contract_units import AdjustmentError, apply_adjustment
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.record_index import RecordIndex
from providers.sandbox.router import Route, Router
from providers.sandbox.store import WorldStore
from providers.sandbox.threshold import TIMEFRAME_MINUTES, RequestWindow
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

VENDOR = "autotask"
ENTITIES = {  # URL name -> world collection
    "Companies": "companies",
    "Contracts": "contracts",
    "Services": "services",
    "ContractServices": "contractServices",
    "ContractServiceUnits": "contractServiceUnits",
    "ContractCharges": "contractCharges",
}
CHILDREN = {"Services": "contractServices", "ServiceUnits": "contractServiceUnits", "Charges": "contractCharges"}
WRITABLE = {  # entityInformation: (create, update, delete) through the API
    "Companies": (True, True, False),
    "Contracts": (True, True, False),
    "Services": (True, True, False),
    "ContractServices": (True, True, False),
    "ContractServiceUnits": (False, False, False),
    "ContractCharges": (True, True, True),
    "ContractServiceAdjustments": (True, False, False),
}
MATCH_CACHE = 8  # queries whose matches are kept for their next pages
INDEXED_FIELDS = {"id": "id", "contractid": "contractID", "contractserviceid": "contractServiceID"}
INDEXED = {  # collection -> the (lower-cased) fields a query's candidates are found by
    "companies": ("id",),
    "contracts": ("id",),
    "services": ("id",),
    "contractServices": ("id", "contractid"),
    "contractServiceUnits": ("id", "contractid", "contractserviceid"),
    "contractCharges": ("id", "contractid"),
}
SERVICE_FIELDS = frozenset({"unitPrice", "unitCost", "invoiceDescription", "internalDescription"})
# Credential answers as live integrations report them: an unknown user name and a wrong
# integration code are HTTP 500s, a wrong secret for a known user a 401.
BAD_INTEGRATION_CODE = "IntegrationCode is invalid."
UNKNOWN_USER = "The user name is not a valid API user of this database."
BAD_SECRET = "User is not authorized to access this resource."
NO_ZONE = "Zone information could not be determined"


def at_error(status: int, *messages: str) -> Reply:
    return Reply(status, {"errors": list(messages)})


def method_refused(method: str) -> Rejection:
    """ASP.NET Web API's answer for a method a URL does not take, as Autotask sends it."""
    return Rejection(Reply(405, {"Message": f"The requested resource does not support http method '{method}'."}))


class AutotaskApi:
    def __init__(self, store: WorldStore, window: RequestWindow):
        self.store = store
        self.window = window
        self._matches: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        routes = [Route("GET", "/zoneInformation", self._zone), Route("GET", "/ThresholdInformation", self._threshold)]
        for entity in [*ENTITIES, "ContractServiceAdjustments"]:
            info = f"/{entity}/entityInformation"
            routes += [
                Route("GET", info, partial(self._information, entity=entity, part="entity")),
                Route("GET", info + "/fields", partial(self._information, entity=entity, part="fields")),
                Route("GET", info + "/userDefinedFields", partial(self._information, entity=entity, part="udfs")),
            ]
        for entity in ENTITIES:
            for method in ("GET", "POST"):
                routes += [
                    Route(method, f"/{entity}/query/count", partial(self._count, entity=entity)),
                    Route(method, f"/{entity}/query/next", partial(self._query, entity=entity, next_page=True)),
                    Route(method, f"/{entity}/query", partial(self._query, entity=entity)),
                ]
            routes.append(Route("GET", f"/{entity}/{{id}}", partial(self._item, entity=entity)))
        for child in CHILDREN:
            entity = CHILD_OF_CONTRACT[child]
            routes += [
                Route("GET", f"/Contracts/{{id}}/{child}", partial(self._children, entity=entity)),
                Route("GET", f"/Contracts/{{id}}/{child}/{{childId}}", partial(self._child_item, entity=entity)),
            ]
        routes += [
            Route("POST", "/ContractServiceAdjustments", self._adjust, write=True),
            Route("POST", "/Contracts/{id}/ServiceAdjustments", self._adjust, write=True),
            Route("PATCH", "/Contracts/{id}/Services", self._patch_service, write=True),
            Route("POST", "/Contracts/{id}/Charges", self._create_charge, write=True),
            Route("PATCH", "/Contracts/{id}/Charges", self._patch_charge, write=True),
            Route("DELETE", "/Contracts/{id}/Charges/{chargeId}", self._delete_charge, write=True),
        ]
        self.router = Router(VENDOR, routes, ignore_case=True)

    def authorize(self, request: Request) -> None:
        """Every request counts towards the hourly threshold; past it Autotask answers 429.
        Then the user name, its secret and the integration code, in the order the live API
        reports them."""
        if self.window.record() > self.window.limit:
            raise Rejection(at_error(429, "The request threshold for this database has been exceeded."))
        if request.path.lower().startswith("/zoneinformation"):
            return  # zone discovery needs no credentials
        creds = SANDBOX_CREDENTIALS[VENDOR]
        if not hmac.compare_digest(request.header("username") or "", creds["username"]):
            raise Rejection(at_error(500, UNKNOWN_USER))
        if not hmac.compare_digest(request.header("secret") or "", creds["secret"]):
            raise Rejection(at_error(401, BAD_SECRET))
        if not hmac.compare_digest(request.header("apiintegrationcode") or "", creds["integration_code"]):
            raise Rejection(at_error(500, BAD_INTEGRATION_CODE))

    # -- reads --------------------------------------------------------------------------

    def _zone(self, request: Request) -> Reply:
        user = request.param("user", ignore_case=True)
        if not user:
            raise Rejection(at_error(400, "The user query parameter is required."))
        if user != SANDBOX_CREDENTIALS[VENDOR]["username"]:
            raise Rejection(at_error(500, NO_ZONE))
        root = f"{request.base_url}/autotask/atservicesrest/"
        return Reply(200, {"zoneName": "Sandbox", "url": root, "webUrl": f"{request.base_url}/autotask/", "ci": 0})

    def _information(self, request: Request, *, entity: str, part: str) -> Reply:
        """`{Entity}/entityInformation`, `.../fields` or `.../userDefinedFields`."""
        shape = self._shape(entity)
        if part == "fields":
            return Reply(200, shape.field_information())
        if part == "udfs":
            return Reply(200, shape.udf_information())
        create, update, delete = WRITABLE[entity]
        return Reply(200, shape.information(can_create=create, can_update=update, can_delete=delete))

    def _shape(self, entity: str) -> EntityShape:
        collection = ENTITIES.get(entity)
        return EntityShape(entity, self.store.records(VENDOR, collection) if collection else ())

    def _threshold(self, request: Request) -> Reply:
        return Reply(
            200,
            {
                "externalRequestThreshold": self.window.limit,
                "requestThresholdTimeframe": TIMEFRAME_MINUTES,
                "currentTimeframeRequestCount": self.window.count(),
            },
        )

    def _model(self, request: Request, *, next_page: bool = False) -> Query:
        """The query a request sends. A next page continues a query with the method it was
        sent with: a POST query's next page is POSTed with the same body (a GET on it is a
        405, as on the live API), a GET query's is a GET carrying the same `search`."""
        try:
            if next_page:
                return self._continued(request)
            if request.method == "POST":
                return Query.parse(self._query_body(request))
            search = request.param("search", ignore_case=True)
            if search is None:
                raise QueryError("The search parameter is required.")
            return replace(Query.parse(_json_text(search)), method="GET")
        except QueryError as exc:
            raise Rejection(at_error(exc.status, str(exc))) from exc

    def _dates(self) -> DatabaseDates:
        return DatabaseDates.of_world(self.store.data)

    def _continued(self, request: Request) -> Query:
        query = Query.from_token(request.param("paging", ignore_case=True) or "")
        if request.method != query.method:
            raise method_refused(request.method)
        if query.method == "POST":
            sent = Query.parse(self._query_body(request))
        else:
            sent = Query.parse(_json_text(request.param("search", ignore_case=True) or "null"))
        if not sent.same_query(query):
            raise QueryError("The query sent with a next page must be the query that page continues.")
        return query

    def _query_body(self, request: Request) -> Any:
        body = request.json(at_error(400, "The query body is not valid JSON."))
        if body is None:
            raise QueryError("A query body is required.")
        return body

    def _matching(self, query: Query, entity: str) -> list[dict[str, Any]]:
        # Every page of a query repeats its filter; at benchmark sizes filtering each page
        # anew made paging quadratic, so a query's matches are kept until the next write.
        collection = ENTITIES[entity]
        filters = _dated_filters(list(query.filters), DATE_FIELDS.get(collection, ()), self._dates())
        key = (collection, json.dumps(filters, sort_keys=True), self.store.generation)
        if key not in self._matches:
            try:
                query.check(self._shape(entity).vocabulary())
            except QueryError as exc:
                raise Rejection(at_error(exc.status, str(exc))) from exc
            predicate = predicate_of(filters)
            found = [r for r in self._candidates(collection, filters) if predicate(r)]
            if len(self._matches) >= MATCH_CACHE:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = sorted(found, key=lambda r: r.get("id", 0))
        else:
            for name in query.include_fields:  # includeFields are not part of the cache key
                try:
                    self._shape(entity).vocabulary().check(name)
                except QueryError as exc:
                    raise Rejection(at_error(exc.status, str(exc))) from exc
        return self._matches[key]

    def _candidates(self, collection: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records a query's filter can match: through an index when the filter names
        ids (every query of a plan does), else the whole collection."""
        narrowed = indexed_candidates(filters, lambda field: self._index(collection, field))
        return self.store.records(VENDOR, collection) if narrowed is None else narrowed

    def _index(self, collection: str, field: str) -> RecordIndex | None:
        if field.lower() not in INDEXED.get(collection, ()):
            return None
        name = next(f for f in INDEXED[collection] if f == field.lower())
        return self.store.index(VENDOR, collection, INDEXED_FIELDS[name])

    def _query(self, request: Request, entity: str, *, next_page: bool = False) -> Reply:
        query = self._model(request, next_page=next_page)
        found = self._matching(query, entity)
        page = found[query.offset : query.offset + query.max_records]
        base = request.url(f"/{entity}/query/next", query="")

        def link(offset: int) -> str:
            url = f"{base}?paging={quote(query.token(offset))}"
            if query.method == "GET":  # a GET page carries its search, as the live API's do
                url += f"&search={quote(json.dumps(query.to_model(), separators=(',', ':')))}"
            return url

        more = query.offset + query.max_records < len(found)
        details = {
            "count": len(page),
            "requestCount": query.max_records,
            "prevPageUrl": link(max(0, query.offset - query.max_records)) if query.offset else None,
            "nextPageUrl": link(query.offset + query.max_records) if more else None,
        }
        shape, dates = self._shape(entity), self._dates()
        served = [dates.served_record(ENTITIES[entity], r) for r in page]
        return Reply(200, {"items": shape.page(served, query.include_fields), "pageDetails": details})

    def _count(self, request: Request, entity: str) -> Reply:
        return Reply(200, {"queryCount": len(self._matching(self._model(request), entity))})

    def _item(self, request: Request, entity: str) -> Reply:
        found = _same_id(self.store.find(VENDOR, ENTITIES[entity], request.params["id"]), request.params["id"])
        return Reply(200, {"item": self._served(entity, found)})

    def _children(self, request: Request, *, entity: str) -> Reply:
        contract = self._contract(request)
        dates = self._dates()
        items = [
            dates.served_record(ENTITIES[entity], r)
            for r in self.store.index(VENDOR, ENTITIES[entity], "contractID").lookup(contract["id"])
            if r.get("contractID") == contract["id"]
        ]
        details = {"count": len(items), "requestCount": len(items), "prevPageUrl": None, "nextPageUrl": None}
        return Reply(200, {"items": self._shape(entity).page(items), "pageDetails": details})

    def _child_item(self, request: Request, *, entity: str) -> Reply:
        """`GET Contracts/{id}/Services/{id}`: one child of the contract, or null."""
        contract = self._contract(request)
        wanted = request.params["childId"]
        found = _same_id(self.store.find(VENDOR, ENTITIES[entity], wanted), wanted)
        found = found if found is not None and found.get("contractID") == contract["id"] else None
        return Reply(200, {"item": self._served(entity, found)})

    def _served(self, entity: str, found: dict[str, Any] | None) -> dict[str, Any] | None:
        """One record as answered, its date-only fields as this database serves them."""
        if found is None:
            return None
        return self._shape(entity).record(self._dates().served_record(ENTITIES[entity], found))

    # -- writes -------------------------------------------------------------------------

    def _contract(self, request: Request) -> dict[str, Any]:
        wanted = request.params["id"]
        found = _same_id(self.store.find(VENDOR, "contracts", wanted), wanted)
        if found is None:
            raise Rejection(at_error(404, f"Contract {wanted} was not found."))
        return found

    def _body(self, request: Request) -> dict[str, Any]:
        body = request.json(at_error(400, "The request body is not valid JSON."))
        if not isinstance(body, dict):
            raise Rejection(at_error(400, "The request body must be a JSON object."))
        return body

    def _received(self, body: dict[str, Any], name: str, *, required: bool) -> None:
        """The date-only field `name` of a write, kept as the database keeps it (its zone's
        date of what was sent, by the reading this database plays)."""
        if body.get(name) in (None, "") and not required:
            return
        try:
            body[name] = canonical(self._dates().received_date(body.get(name)))
        except ValueError as exc:
            raise Rejection(at_error(500, f"{name}: {exc or 'not a date'}")) from exc

    def _adjust(self, request: Request) -> Reply:
        body = self._body(request)
        self._received(body, "effectiveDate", required=True)
        if "id" in request.params:
            body["contractID"] = self._contract(request)["id"]
        try:
            record = apply_adjustment(self.store, body)
        except AdjustmentError as exc:
            raise Rejection(at_error(500, str(exc))) from exc
        return Reply(200, {"itemId": record["id"]})

    def _child(self, request: Request, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        contract = self._contract(request)
        wanted = body.get("id")
        found = self.store.find(VENDOR, collection, wanted) if isinstance(wanted, int) else None
        found = (
            found
            if found is not None and found.get("id") == wanted and found.get("contractID") == contract["id"]
            else None
        )
        if found is None:
            raise Rejection(
                at_error(500, f"No {collection[:-1]} with id {body.get('id')} on contract {contract['id']}.")
            )
        return found

    def _patch_service(self, request: Request) -> Reply:
        body = self._body(request)
        record = self._child(request, "contractServices", body)
        unknown = sorted(set(body) - SERVICE_FIELDS - {"id"})
        if unknown:
            raise Rejection(at_error(500, f"Fields cannot be updated on a contract service: {', '.join(unknown)}"))
        record.update({k: v for k, v in body.items() if k != "id"})
        return Reply(200, {"itemId": record["id"]})

    def _create_charge(self, request: Request) -> Reply:
        contract = self._contract(request)
        body = self._body(request)
        missing = [f for f in ("name", "datePurchased", "unitQuantity") if body.get(f) in (None, "")]
        if missing:
            raise Rejection(at_error(500, *(f"{f} is required" for f in missing)))
        self._received(body, "datePurchased", required=True)
        record = dict(body, id=self.store.next_id(VENDOR, "contractCharges"), contractID=contract["id"])
        record.setdefault("isBilled", False)
        self.store.records(VENDOR, "contractCharges").append(record)
        return Reply(200, {"itemId": record["id"]})

    def _patch_charge(self, request: Request) -> Reply:
        body = self._body(request)
        record = self._billable_charge(self._child(request, "contractCharges", body))
        self._received(body, "datePurchased", required=False)
        record.update({k: v for k, v in body.items() if k not in ("id", "contractID", "isBilled")})
        return Reply(200, {"itemId": record["id"]})

    def _delete_charge(self, request: Request) -> Reply:
        record = self._child(request, "contractCharges", {"id": _int(request.params["chargeId"])})
        self._billable_charge(record)
        self.store.records(VENDOR, "contractCharges").remove(record)
        return Reply(200, {"itemId": record["id"]})

    @staticmethod
    def _billable_charge(record: dict[str, Any]) -> dict[str, Any]:
        if record.get("isBilled"):
            raise Rejection(at_error(500, "The charge has been billed and cannot be changed or deleted."))
        return record


def _dated_filters(
    filters: list[dict[str, Any]], fields: tuple[str, ...], dates: DatabaseDates
) -> list[dict[str, Any]]:
    """`filters` with the values compared to date-only fields as the database compares
    them (a value sent is a UTC instant, like every time Autotask receives)."""
    names = {f.lower() for f in fields}
    result = []
    for item in filters:
        spec = dict(item)
        inner = next((k for k in spec if k.lower() == "items"), None)
        if inner and isinstance(spec[inner], list):
            spec[inner] = _dated_filters([i for i in spec[inner] if isinstance(i, dict)], fields, dates)
        field = next((v for k, v in spec.items() if k.lower() == "field"), None)
        value = next((k for k in spec if k.lower() == "value"), None)
        if isinstance(field, str) and field.lower() in names and value is not None:
            spec[value] = dates.received_stamp(spec[value])
        result.append(spec)
    return result


def _same_id(record: dict[str, Any] | None, text_id: str) -> dict[str, Any] | None:
    """The record when its id, as text, is the one in the URL (the index also finds `7001`
    for ` 7001`, which the live API would not)."""
    return record if record is not None and str(record.get("id")) == text_id else None


def _json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError("The search parameter is not valid JSON.") from exc


def _int(text: str) -> int | str:
    return int(text) if text.isdigit() else text
