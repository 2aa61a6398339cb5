"""The emulated Autotask writes on a contract: service adjustments, the contract service's
price and descriptions, and contract charges (created, changed and deleted until billed).
Every body is checked against its entity's model first (autotask_write_check.py).

A date-only field that is written is kept as the database keeps it: its zone's date of what
was sent, by the reading of Autotask's time handling this world plays
(providers/sandbox/autotask_dates.py).
"""

from __future__ import annotations

from typing import Any

from providers.sandbox.autotask_dates import canonical
from providers.sandbox.autotask_errors import at_error
from providers.sandbox.autotask_search import VENDOR, contract_of, dates_of, shape_of
from providers.sandbox.autotask_write_check import checked_write
from providers.sandbox.contract_units import AdjustmentError, apply_adjustment
from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.store import WorldStore

SERVICE_FIELDS = frozenset({"unitPrice", "unitCost", "invoiceDescription", "internalDescription"})


class ContractWrites:
    def __init__(self, store: WorldStore):
        self.store = store

    def adjust(self, request: Request) -> Reply:
        from_url = "id" in request.params  # Contracts/{id}/ServiceAdjustments
        body = self._checked(
            request, "ContractServiceAdjustments", creating=True, given=("contractID",) if from_url else ()
        )
        self._received(body, "effectiveDate", required=True)
        if from_url:
            body["contractID"] = contract_of(self.store, request)["id"]
        try:
            record = apply_adjustment(self.store, body)
        except AdjustmentError as exc:
            raise Rejection(at_error(500, str(exc))) from exc
        return Reply(200, {"itemId": record["id"]})

    def patch_service(self, request: Request) -> Reply:
        body = self._checked(request, "ContractServices", creating=False)
        record = self._child(request, "contractServices", body)
        unknown = sorted(set(body) - SERVICE_FIELDS - {"id"})
        if unknown:
            raise Rejection(at_error(500, f"Fields cannot be updated on a contract service: {', '.join(unknown)}"))
        record.update({k: v for k, v in body.items() if k != "id"})
        return Reply(200, {"itemId": record["id"]})

    def create_charge(self, request: Request) -> Reply:
        contract = contract_of(self.store, request)
        body = self._checked(request, "ContractCharges", creating=True, given=("contractID",))
        self._received(body, "datePurchased", required=True)
        record = dict(body, id=self.store.next_id(VENDOR, "contractCharges"), contractID=contract["id"])
        record.setdefault("isBilled", False)
        self.store.records(VENDOR, "contractCharges").append(record)
        return Reply(200, {"itemId": record["id"]})

    def patch_charge(self, request: Request) -> Reply:
        body = self._checked(request, "ContractCharges", creating=False)
        record = _billable_charge(self._child(request, "contractCharges", body))
        self._received(body, "datePurchased", required=False)
        record.update({k: v for k, v in body.items() if k not in ("id", "contractID", "isBilled")})
        return Reply(200, {"itemId": record["id"]})

    def delete_charge(self, request: Request) -> Reply:
        record = self._child(request, "contractCharges", {"id": _int(request.params["chargeId"])})
        _billable_charge(record)
        self.store.records(VENDOR, "contractCharges").remove(record)
        return Reply(200, {"itemId": record["id"]})

    def _checked(self, request: Request, entity: str, *, creating: bool, given: tuple[str, ...] = ()) -> dict[str, Any]:
        return checked_write(shape_of(self.store, entity), _body(request), creating=creating, given=given)

    def _child(self, request: Request, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        contract = contract_of(self.store, request)
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

    def _received(self, body: dict[str, Any], name: str, *, required: bool) -> None:
        """The date-only field `name` of a write, kept as the database keeps it (its zone's
        date of what was sent, by the reading this database plays)."""
        if body.get(name) in (None, "") and not required:
            return
        try:
            body[name] = canonical(dates_of(self.store).received_date(body.get(name)))
        except ValueError as exc:
            raise Rejection(at_error(500, f"{name}: {exc or 'not a date'}")) from exc


def _body(request: Request) -> dict[str, Any]:
    body = request.json(at_error(400, "The request body is not valid JSON."))
    if not isinstance(body, dict):
        raise Rejection(at_error(400, "The request body must be a JSON object."))
    return body


def _billable_charge(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("isBilled"):
        raise Rejection(at_error(500, "The charge has been billed and cannot be changed or deleted."))
    return record


def _int(text: str) -> int | str:
    return int(text) if text.isdigit() else text
