"""The emulated Autotask queries: `{Entity}/query` (POSTed body or GET `search`), its next
pages and `/query/count`, answered from the world.

A query's matches are kept until the next write, so that its pages do not filter the whole
collection again (paging was quadratic at benchmark sizes), and a filter on ids is answered
through the store's indexes. Values compared to date-only fields are read as the database
reads them (a UTC instant; providers/sandbox/autotask_dates.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from providers.sandbox.autotask_dates import DATE_FIELDS, DatabaseDates
from providers.sandbox.autotask_errors import at_error, method_refused
from providers.sandbox.autotask_query import Query, QueryError, indexed_candidates, predicate_of
from providers.sandbox.autotask_records import EntityShape
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.record_index import RecordIndex
from providers.sandbox.store import WorldStore

VENDOR = "autotask"
ENTITIES = {  # URL name -> world collection
    "Companies": "companies",
    "Contracts": "contracts",
    "Services": "services",
    "ContractServices": "contractServices",
    "ContractServiceUnits": "contractServiceUnits",
    "ContractCharges": "contractCharges",
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


def shape_of(store: WorldStore, entity: str) -> EntityShape:
    """What the live API says of an entity, and how it serves its records."""
    collection = ENTITIES.get(entity)
    return EntityShape(entity, store.records(VENDOR, collection) if collection else ())


def dates_of(store: WorldStore) -> DatabaseDates:
    """How this world's database keeps and serves date-only fields."""
    return DatabaseDates.of_world(store.data)


def find(store: WorldStore, collection: str, text_id: str) -> dict[str, Any] | None:
    """The record whose id, as text, is the URL's `text_id` (the store's index also finds
    `7001` for ` 7001`, which the live API would not)."""
    record = store.find(VENDOR, collection, text_id)
    return record if record is not None and str(record.get("id")) == text_id else None


def contract_of(store: WorldStore, request: Request) -> dict[str, Any]:
    """The contract of the URL's `{id}` (`Contracts/{id}/...`); a 404 when there is none."""
    wanted = request.params["id"]
    found = find(store, "contracts", wanted)
    if found is None:
        raise Rejection(at_error(404, f"Contract {wanted} was not found."))
    return found


class Search:
    def __init__(self, store: WorldStore):
        self.store = store
        self._matches: dict[tuple[str, str, int], list[dict[str, Any]]] = {}

    def query(self, request: Request, entity: str, *, next_page: bool = False) -> Reply:
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
        dates = dates_of(self.store)
        served = [dates.served_record(ENTITIES[entity], r) for r in page]
        return Reply(
            200, {"items": shape_of(self.store, entity).page(served, query.include_fields), "pageDetails": details}
        )

    def count(self, request: Request, entity: str) -> Reply:
        return Reply(200, {"queryCount": len(self._matching(self._model(request), entity))})

    def _model(self, request: Request, *, next_page: bool = False) -> Query:
        """The query a request sends. A next page continues a query with the method it was
        sent with: a POST query's next page is POSTed with the same body (a GET on it is a
        405, as on the live API), a GET query's is a GET carrying the same `search`."""
        try:
            if next_page:
                return self._continued(request)
            if request.method == "POST":
                return Query.parse(_query_body(request))
            search = request.param("search", ignore_case=True)
            if search is None:
                raise QueryError("The search parameter is required.")
            return replace(Query.parse(_json_text(search)), method="GET")
        except QueryError as exc:
            raise Rejection(at_error(exc.status, str(exc))) from exc

    def _continued(self, request: Request) -> Query:
        query = Query.from_token(request.param("paging", ignore_case=True) or "")
        if request.method != query.method:
            raise method_refused(request.method)
        if query.method == "POST":
            sent = Query.parse(_query_body(request))
        else:
            sent = Query.parse(_json_text(request.param("search", ignore_case=True) or "null"))
        if not sent.same_query(query):
            raise QueryError("The query sent with a next page must be the query that page continues.")
        return query

    def _matching(self, query: Query, entity: str) -> list[dict[str, Any]]:
        collection = ENTITIES[entity]
        filters = _dated_filters(list(query.filters), DATE_FIELDS.get(collection, ()), dates_of(self.store))
        key = (collection, json.dumps(filters, sort_keys=True), self.store.generation)
        if key not in self._matches:
            try:
                query.check(shape_of(self.store, entity).vocabulary())
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
                    shape_of(self.store, entity).vocabulary().check(name)
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


def _query_body(request: Request) -> Any:
    body = request.json(at_error(400, "The query body is not valid JSON."))
    if body is None:
        raise QueryError("A query body is required.")
    return body


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


def _json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError("The search parameter is not valid JSON.") from exc
