"""Autotask records as the live API sends them, and what it says about its entities.

A record carries every field of its entity's model, null when unset (a world file may leave
fields out). Entities that can have user-defined fields carry `userDefinedFields`, one
`{name, value}` per UDF the entity has, whenever any record answered has a UDF value; the
vendor leaves the collection out when none has ("When querying any endpoint with UDFs where
the set of entities returned does not have any UDF values, the response will not include
the userDefinedFields collection"). `includeFields` returns exactly the fields asked for.

`entityInformation` and `entityInformation/fields` describe the entities from the same
tables. Picklist values are instance data in Autotask; the sandbox lists the values its
worlds use, labelled as a live database labels them (see docs/sandbox.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from providers.sandbox.at_fields import ENTITIES, WITH_SOAP_PARENT, WITH_UDFS
from providers.sandbox.autotask_query import Vocabulary

UDFS = "userDefinedFields"
SOAP_PARENT = "soapParentPropertyId"
READ_ONLY = frozenset(
    {
        "id",
        "createDate",
        "lastModifiedDate",
        "lastModifiedDateTime",
        "lastActivityDate",
        "lastTrackedModifiedDateTime",
        "statusLastModifiedDate",
        "statusLastModifiedBy",
        # amounts Autotask computes from a record's own fields or the currency's rate
        "billableAmount",
        "extendedCost",
        "internalCurrencyAdjustedPrice",
        "internalCurrencyBillableAmount",
        "internalCurrencyPrice",
        "internalCurrencyUnitPrice",
    }
)
REQUIRED = {  # fields Autotask requires on create, for entityInformation/fields
    "Companies": {"companyName", "companyType", "ownerResourceID", "phone"},
    "Contracts": {
        "companyID",
        "contractName",
        "contractType",
        "startDate",
        "endDate",
        "status",
        "timeReportingRequiresStartAndStopTimes",
    },
    "Services": {"name", "periodType", "unitPrice", "billingCodeID"},
    "ContractServices": {"contractID", "serviceID", "unitPrice"},
    "ContractServiceAdjustments": {"contractID", "serviceID", "effectiveDate", "unitChange"},
    "ContractCharges": {"contractID", "name", "datePurchased", "unitQuantity", "chargeType", "status"},
}
PICKLISTS = {  # (entity, field) -> ((value, label), ...): the values the sandbox's worlds use
    ("Contracts", "contractType"): ((7, "Recurring Service"),),
    ("Contracts", "status"): ((0, "Inactive"), (1, "Active")),
    ("Contracts", "contractPeriodType"): ((2, "Monthly"),),
    ("Services", "periodType"): ((2, "Monthly"),),
    ("ContractCharges", "chargeType"): ((1, "Operational"),),
    ("ContractCharges", "status"): ((1, "Active"),),
}
CHILD_OF_CONTRACT = {
    "Services": "ContractServices",
    "ServiceUnits": "ContractServiceUnits",
    "Charges": "ContractCharges",
    "ServiceAdjustments": "ContractServiceAdjustments",
}


class EntityShape:
    """The model of one entity (by its URL name, e.g. `Contracts`) and its records' UDFs."""

    def __init__(self, url_name: str, records: Iterable[dict[str, Any]] = ()):
        self.url_name = url_name
        self.name, typed = ENTITIES[url_name]
        self.fields = tuple(name for name, _ in typed)
        self.types = dict(typed)
        self.udf_names = (
            tuple(
                sorted(
                    {
                        str(u.get("name"))
                        for r in records
                        for u in r.get(UDFS) or ()
                        if isinstance(u, dict) and u.get("name")
                    },
                    key=str.lower,
                )
            )
            if url_name in WITH_UDFS
            else ()
        )

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            self.name, frozenset(f.lower() for f in self.fields), frozenset(u.lower() for u in self.udf_names)
        )

    def page(self, records: list[dict[str, Any]], include: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Records as answered: every field (or exactly `include`), UDFs when any has a value."""
        if include:
            wanted = {f.lower() for f in include}
            return [{f: r.get(f) for f in self.fields if f.lower() in wanted} for r in records]
        with_udfs = bool(self.udf_names) and any(_udf_values(r) for r in records)
        return [self.record(r, with_udfs=with_udfs) for r in records]

    def record(self, raw: dict[str, Any], *, with_udfs: bool | None = None) -> dict[str, Any]:
        out = {f: raw.get(f) for f in self.fields}
        if self.url_name in WITH_SOAP_PARENT:
            out[SOAP_PARENT] = None
        if with_udfs is None:
            with_udfs = bool(self.udf_names) and bool(_udf_values(raw))
        if with_udfs:
            values = _udf_values(raw)
            out[UDFS] = [{"name": n, "value": values.get(n.lower())} for n in self.udf_names]
        return out

    def information(self, *, can_create: bool, can_update: bool, can_delete: bool) -> dict[str, Any]:
        return {
            "info": {
                "name": self.name,
                "canCreate": can_create,
                "canDelete": can_delete,
                "canQuery": self.url_name != "ContractServiceAdjustments",
                "canUpdate": can_update,
                "hasUserDefinedFields": self.url_name in WITH_UDFS,
                "supportsWebhookCallouts": False,
            }
        }

    def field_information(self) -> dict[str, Any]:
        required = REQUIRED.get(self.url_name, set())
        fields = []
        for name in self.fields:
            picklist = PICKLISTS.get((self.url_name, name), ())
            reference = _referenced(name)
            fields.append(
                {
                    "name": name,
                    "dataType": self.types[name],
                    "length": 0 if self.types[name] != "string" else 100,
                    "isRequired": name in required,
                    "isReadOnly": name in READ_ONLY,
                    "isQueryable": True,
                    "isReference": bool(reference),
                    "referenceEntityType": reference,
                    "isPickList": bool(picklist),
                    "picklistValues": [
                        {
                            "value": str(v),
                            "label": label,
                            "isDefaultValue": False,
                            "sortOrder": i,
                            "parentValue": "",
                            "isActive": True,
                            "isSystem": True,
                        }
                        for i, (v, label) in enumerate(picklist)
                    ]
                    if picklist
                    else None,
                    "picklistParentValueField": "",
                    "isSupportedWebhookField": False,
                }
            )
        return {"fields": fields}

    def udf_information(self) -> dict[str, Any]:
        """`entityInformation/userDefinedFields` (the swagger's `Field` model: `type`, `label`)."""
        return {
            "fields": [
                {
                    "name": n,
                    "label": n,
                    "type": "string",
                    "length": 100,
                    "description": "",
                    "isRequired": False,
                    "isReadOnly": False,
                    "isQueryable": True,
                    "isReference": False,
                    "referenceEntityType": "",
                    "isPickList": False,
                    "picklistValues": None,
                    "picklistParentValueField": "",
                    "defaultValue": None,
                    "isSupportedWebhookField": False,
                }
                for n in self.udf_names
            ]
        }


def _udf_values(record: dict[str, Any]) -> dict[str, Any]:
    return {
        str(u.get("name")).lower(): u.get("value")
        for u in record.get(UDFS) or ()
        if isinstance(u, dict) and u.get("value") is not None
    }


def _referenced(field: str) -> str:
    """The entity an `...ID` field points at, by Autotask's naming."""
    names = {
        "companyID": "Company",
        "contractID": "Contract",
        "serviceID": "Service",
        "contractServiceID": "ContractService",
        "billingCodeID": "BillingCode",
    }
    return names.get(field, "")
