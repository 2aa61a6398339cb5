"""The Autotask writes of one change: adjustments, contract-service and charge updates,
charges. Creates are sent once (never retried); what a create may have made is read back.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from providers.autotask import mapping
from providers.autotask.client import AutotaskClient
from providers.autotask.created_services import CreatedServices
from providers.record import number
from reconciler.errors import ProviderError
from reconciler.plan.change import Change
from reconciler.provider import WriteResult

log = logging.getLogger(__name__)

Record = dict[str, Any]


class Writer:
    """Writes through `client`, sharing the provider's caches of contract services and
    services (filled by its last read) and of the services its adjustments created."""

    def __init__(
        self,
        client: AutotaskClient,
        services: dict[tuple[int, int], Record],
        catalog: dict[int, Record],
        *,
        database_zone: ZoneInfo,
        created: CreatedServices,
    ):
        self.client = client
        self.database_zone = database_zone
        self._services = services
        self._catalog = catalog
        self._created = created

    def adjust(self, change: Change) -> WriteResult:
        body = mapping.adjustment_body(change, database_zone=self.database_zone)
        item_id = self.client.create("/ContractServiceAdjustments", body)
        if change.line_id is None:  # Autotask created the contract service: its text may follow
            self._created.created(body["contractID"], body["serviceID"])
        log.info(
            "autotask.write: action=adjustment contract=%s service=%s units=%+d effective=%s id=%s",
            body["contractID"],
            body["serviceID"],
            body["unitChange"],
            body["effectiveDate"],
            item_id,
        )
        detail = f"adjustment {item_id}: {body['unitChange']:+d} units from {body['effectiveDate']}"
        return WriteResult(record_id=item_id, detail=detail)

    def _contract_service(self, contract_id: int, service_id: int) -> Record:
        """The contract service an adjustment may just have created, read fresh (together
        with the others created meanwhile)."""
        found = self._created.find(contract_id, service_id)
        self._services[(contract_id, service_id)] = found
        return found

    def update_service(self, change: Change) -> WriteResult:
        """PATCH a contract service. Without `line_id` it is the service the change's
        adjustment created just before (in the plan's order): found by contract and service."""
        contract_id = int(change.agreement_id)
        line_id = number(change.line_id) if change.line_id is not None else None
        if line_id is None:
            line_id = int(self._contract_service(contract_id, mapping.service_id(change))["id"])
        body = mapping.service_patch(change, line_id)
        if len(body) == 1:
            return WriteResult(record_id=line_id, detail="nothing to change")
        item_id = self.client.update(f"/Contracts/{contract_id}/Services", body)
        log.info(
            "autotask.write: action=update contract=%s contract_service=%s fields=%s",
            contract_id,
            line_id,
            ",".join(k for k in body if k != "id"),
        )
        return WriteResult(record_id=item_id or line_id, detail="contract service updated")

    def update_charge(self, change: Change) -> WriteResult:
        """Correct a copied invoice line; the plan proposes it only while the charge is unbilled
        (Autotask refuses changes to billed charges)."""
        if change.line_id is None:
            raise ProviderError("Autotask: a charge correction needs the charge id (line_id)")
        body = mapping.charge_patch(change)
        item_id = self.client.update(f"/Contracts/{int(change.agreement_id)}/Charges", body)
        log.info(
            "autotask.write: action=update contract=%s charge=%s fields=%s",
            change.agreement_id,
            change.line_id,
            ",".join(k for k in body if k != "id"),
        )
        return WriteResult(record_id=item_id or change.line_id, detail="charge corrected")

    def charge(self, change: Change) -> WriteResult:
        service = self._catalog.get(mapping.service_id(change), {})
        name = str(
            change.after.get("name")
            or change.after.get("invoice_description")
            or service.get("name")
            or change.product_key
        )
        code = change.after.get("billing_code_id") or service.get("billingCodeID")
        body = mapping.charge_body(
            change, name=name, database_zone=self.database_zone, billing_code_id=int(code) if code else None
        )
        item_id = self.client.create(f"/Contracts/{int(change.agreement_id)}/Charges", body)
        log.info("autotask.write: action=charge contract=%s charge=%s key=%s", change.agreement_id, item_id, change.key)
        return WriteResult(record_id=item_id, detail=f"charge {item_id} created")
