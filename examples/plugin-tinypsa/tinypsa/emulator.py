"""TinyPSA's REST API, emulated: in-memory records served by a stdlib HTTP server on a
loopback port, in a thread of its own. For tests, the conformance kit and trying the
plug-in out; TinyPSA itself is imaginary.

The API: every request carries `Authorization: Bearer <token>` (else 401). Lists answer
`{"data": [...], "page", "per_page", "total", "next"}`, where `next` is the path of the
next page (relative to the API root) or null; `?page=` and `?per_page=` choose the page
(see `listing`). Errors answer `{"error": {"code", "message"}}`.

    GET   /companies             ?ids=1,2
    GET   /plans                 ?ids=1,2  ?status=active
    GET   /catalog               ?codes=A,B
    GET   /items                 ?plan_ids=1,2  ?codes=A,B
    POST  /plans/{id}/items      {code, kind, quantity, unit_price, unit_cost, effective_date, invoice_text}
    PATCH /items/{id}            any of quantity, unit_price, unit_cost, invoice_text, end_date

The emulator keeps each item's quantity history, stamped with its own settable `today`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tinypsa import listing
from tinypsa.records import ApiError, CatalogItem, Company, Item, Plan, new_item, patched

log = logging.getLogger(__name__)


class TinyPsaEmulator:
    def __init__(self, token: str, *, today: date):
        self.token = token
        self.today = today
        self.companies: dict[int, Company] = {}
        self.plans: dict[int, Plan] = {}
        self.catalog: dict[str, CatalogItem] = {}  # by code
        self.items: dict[int, Item] = {}
        self.url = ""
        self._lock = threading.RLock()
        self._writes = 0  # writes answered so far (POST and PATCH that passed auth)
        self._failing: set[int] = set()  # numbers of the writes that answer 500
        self._server: ThreadingHTTPServer | None = None

    # -- setting up (what an admin would do in TinyPSA's screens) -------------------------

    def add_company(self, company_id: int, name: str) -> Company:
        self.companies[company_id] = Company(company_id, name)
        return self.companies[company_id]

    def add_plan(
        self,
        plan_id: int,
        company_id: int,
        *,
        start_date: date,
        billing_day: int = 1,
        status: str = "active",
        name: str = "",
    ) -> Plan:
        self.plans[plan_id] = Plan(plan_id, company_id, name or f"Plan {plan_id}", status, start_date, billing_day)
        return self.plans[plan_id]

    def add_catalog_item(self, item_id: int, code: str, name: str, *, price: Decimal, cost: Decimal) -> CatalogItem:
        self.catalog[code] = CatalogItem(item_id, code, name, Decimal(price), Decimal(cost))
        return self.catalog[code]

    def add_item(
        self,
        plan_id: int,
        code: str,
        quantity: int,
        *,
        effective_date: date,
        recorded_on: date,
        kind: str = "main",
        invoice_text: str = "",
        unit_price: Decimal | None = None,
    ) -> Item:
        """An item as if made on `recorded_on` (its history starts there)."""
        catalog = self.catalog[code]
        item = Item(
            self._next_item_id(),
            plan_id,
            code,
            kind,
            quantity,
            catalog.price if unit_price is None else Decimal(unit_price),
            catalog.cost,
            effective_date,
            None,
            invoice_text,
            ((recorded_on, quantity),),
        )
        self.items[item.id] = item
        return item

    def set_today(self, day: date) -> None:
        """TinyPSA's own today: what it stamps on the quantity history from now on."""
        with self._lock:
            self.today = day

    def fail_write(self, index: int) -> None:
        """The `index`-th write from now (1 = the next) answers HTTP 500 and changes nothing."""
        with self._lock:
            self._failing.add(self._writes + int(index))

    def items_of(self, plan_id: int, code: str) -> list[Item]:
        with self._lock:
            return [i for i in self.items.values() if i.plan_id == plan_id and i.code == code]

    # -- serving ------------------------------------------------------------------------

    def start(self) -> str:
        """Serve on 127.0.0.1 (a free port) in a daemon thread; returns the base URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.01,), name="tinypsa-emulator", daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        log.info("tinypsa.emulator: serving url=%s", self.url)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, method: str, target: str, authorization: str | None, body: Any) -> tuple[int, Any]:
        """The (status, JSON body) TinyPSA answers a request with."""
        try:
            if authorization != f"Bearer {self.token}":
                raise ApiError(401, "unauthorized", "missing or invalid bearer token")
            parts = urlsplit(target)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            with self._lock:
                return self._route(method, parts.path.rstrip("/") or "/", query, body)
        except ApiError as error:
            return error.status, error.body()

    # -- the API ------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        lists: dict[str, Callable[[dict[str, str]], list[Any]]] = {
            "/companies": self._companies,
            "/plans": self._plans,
            "/catalog": self._catalog,
            "/items": self._items,
        }
        if method == "GET" and path in lists:
            return 200, listing.page(path, query, [r.to_json() for r in lists[path](query)])
        found = re.fullmatch(r"/plans/(\d+)/items", path)
        if method == "POST" and found:
            return 201, self._create(int(found.group(1)), _object(body)).to_json()
        found = re.fullmatch(r"/items/(\d+)", path)
        if method == "PATCH" and found:
            return 200, self._patch(int(found.group(1)), _object(body)).to_json()
        raise ApiError(404, "not_found", f"no route {method} {path}")

    def _companies(self, query: dict[str, str]) -> list[Company]:
        wanted = listing.ids(query.get("ids"))
        return [c for k, c in sorted(self.companies.items()) if wanted is None or k in wanted]

    def _plans(self, query: dict[str, str]) -> list[Plan]:
        wanted, status = listing.ids(query.get("ids")), query.get("status")
        return [
            p
            for k, p in sorted(self.plans.items())
            if (wanted is None or k in wanted) and (status is None or p.status == status)
        ]

    def _catalog(self, query: dict[str, str]) -> list[CatalogItem]:
        codes = listing.codes(query.get("codes"))
        return sorted((c for c in self.catalog.values() if codes is None or c.code in codes), key=lambda c: c.id)

    def _items(self, query: dict[str, str]) -> list[Item]:
        plans, codes = listing.ids(query.get("plan_ids")), listing.codes(query.get("codes"))
        return [
            i
            for k, i in sorted(self.items.items())
            if (plans is None or i.plan_id in plans) and (codes is None or i.code in codes)
        ]

    def _create(self, plan_id: int, body: dict[str, Any]) -> Item:
        self._count_write()
        plan = self.plans.get(plan_id)
        if plan is None:
            raise ApiError(404, "not_found", f"plan {plan_id} does not exist")
        catalog = self.catalog.get(body.get("code"))  # type: ignore[arg-type]
        if catalog is None:
            raise ApiError(400, "invalid", f"code: no catalog item with code {body.get('code')!r}")
        item = new_item(self._next_item_id(), plan, catalog, body, self.today)
        self.items[item.id] = item
        return item

    def _patch(self, item_id: int, body: dict[str, Any]) -> Item:
        self._count_write()
        item = self.items.get(item_id)
        if item is None:
            raise ApiError(404, "not_found", f"item {item_id} does not exist")
        self.items[item_id] = patched(item, body, self.today)
        return self.items[item_id]

    def _count_write(self) -> None:
        self._writes += 1
        if self._writes in self._failing:
            self._failing.discard(self._writes)
            raise ApiError(500, "internal", "TinyPSA could not save the change, try again later")

    def _next_item_id(self) -> int:
        return max(self.items, default=700) + 1


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", "the body must be a JSON object")
    return body


def _handler_for(emulator: TinyPsaEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def _serve(self, method: str) -> None:
            body: Any = None
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                try:
                    body = json.loads(self.rfile.read(length), parse_float=Decimal)
                except ValueError:
                    body = None  # refused like a missing body: not a JSON object
            status, answer = emulator.answer(method, self.path, self.headers.get("Authorization"), body)
            data = json.dumps(answer, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("tinypsa.emulator: %s", format % args)

    return Handler
