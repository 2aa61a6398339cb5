"""The emulated Autotask REST API (atservicesrest/v1.0): its routes, credentials and
request threshold, zone discovery, entity information and single records. Queries are
answered by providers/sandbox/autotask_search.py, writes on a contract by
providers/sandbox/autotask_writes.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from providers.sandbox.autotask_errors import at_error
from providers.sandbox.autotask_records import CHILD_OF_CONTRACT
from providers.sandbox.autotask_search import ENTITIES, VENDOR, Search, contract_of, dates_of, find, shape_of
from providers.sandbox.autotask_writes import ContractWrites
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.router import Route, Router
from providers.sandbox.secret_compare import same_secret
from providers.sandbox.store import WorldStore
from providers.sandbox.threshold import TIMEFRAME_MINUTES, RequestWindow
from providers.sandbox_credentials import SANDBOX_CREDENTIALS

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
# Credential answers as live integrations report them: an unknown user name and a wrong
# integration code are HTTP 500s, a wrong secret for a known user a 401.
BAD_INTEGRATION_CODE = "IntegrationCode is invalid."
UNKNOWN_USER = "The user name is not a valid API user of this database."
BAD_SECRET = "User is not authorized to access this resource."
NO_ZONE = "Zone information could not be determined"


class AutotaskApi:
    def __init__(self, store: WorldStore, window: RequestWindow):
        self.store = store
        self.window = window
        search, writes = Search(store), ContractWrites(store)
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
                    Route(method, f"/{entity}/query/count", partial(search.count, entity=entity)),
                    Route(method, f"/{entity}/query/next", partial(search.query, entity=entity, next_page=True)),
                    Route(method, f"/{entity}/query", partial(search.query, entity=entity)),
                ]
            routes.append(Route("GET", f"/{entity}/{{id}}", partial(self._item, entity=entity)))
        for child in CHILDREN:
            entity = CHILD_OF_CONTRACT[child]
            routes += [
                Route("GET", f"/Contracts/{{id}}/{child}", partial(self._children, entity=entity)),
                Route("GET", f"/Contracts/{{id}}/{child}/{{childId}}", partial(self._child_item, entity=entity)),
            ]
        routes += [
            Route("POST", "/ContractServiceAdjustments", writes.adjust, write=True),
            Route("POST", "/Contracts/{id}/ServiceAdjustments", writes.adjust, write=True),
            Route("PATCH", "/Contracts/{id}/Services", writes.patch_service, write=True),
            Route("POST", "/Contracts/{id}/Charges", writes.create_charge, write=True),
            Route("PATCH", "/Contracts/{id}/Charges", writes.patch_charge, write=True),
            Route("DELETE", "/Contracts/{id}/Charges/{chargeId}", writes.delete_charge, write=True),
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
        if not same_secret(request.header("username") or "", creds["username"]):
            raise Rejection(at_error(500, UNKNOWN_USER))
        if not same_secret(request.header("secret") or "", creds["secret"]):
            raise Rejection(at_error(401, BAD_SECRET))
        if not same_secret(request.header("apiintegrationcode") or "", creds["integration_code"]):
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
        shape = shape_of(self.store, entity)
        if part == "fields":
            return Reply(200, shape.field_information())
        if part == "udfs":
            return Reply(200, shape.udf_information())
        create, update, delete = WRITABLE[entity]
        return Reply(200, shape.information(can_create=create, can_update=update, can_delete=delete))

    def _threshold(self, request: Request) -> Reply:
        return Reply(
            200,
            {
                "externalRequestThreshold": self.window.limit,
                "requestThresholdTimeframe": TIMEFRAME_MINUTES,
                "currentTimeframeRequestCount": self.window.count(),
            },
        )

    def _item(self, request: Request, entity: str) -> Reply:
        found = find(self.store, ENTITIES[entity], request.params["id"])
        return Reply(200, {"item": self._served(entity, found)})

    def _children(self, request: Request, *, entity: str) -> Reply:
        contract = contract_of(self.store, request)
        dates = dates_of(self.store)
        items = [
            dates.served_record(ENTITIES[entity], r)
            for r in self.store.index(VENDOR, ENTITIES[entity], "contractID").lookup(contract["id"])
            if r.get("contractID") == contract["id"]
        ]
        details = {"count": len(items), "requestCount": len(items), "prevPageUrl": None, "nextPageUrl": None}
        return Reply(200, {"items": shape_of(self.store, entity).page(items), "pageDetails": details})

    def _child_item(self, request: Request, *, entity: str) -> Reply:
        """`GET Contracts/{id}/Services/{id}`: one child of the contract, or null."""
        contract = contract_of(self.store, request)
        wanted = request.params["childId"]
        found = find(self.store, ENTITIES[entity], wanted)
        found = found if found is not None and found.get("contractID") == contract["id"] else None
        return Reply(200, {"item": self._served(entity, found)})

    def _served(self, entity: str, found: dict[str, Any] | None) -> dict[str, Any] | None:
        """One record as answered, its date-only fields as this database serves them."""
        if found is None:
            return None
        return shape_of(self.store, entity).record(dates_of(self.store).served_record(ENTITIES[entity], found))
