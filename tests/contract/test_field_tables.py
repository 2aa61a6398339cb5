"""The sandbox's field tables are the vendors' documents, not a second opinion: the sandbox
ships without the documents, so it keeps these tables, and here they are held to them."""

from __future__ import annotations

from typing import Any

from providers.sandbox.at_fields import ENTITIES, WITH_SOAP_PARENT, WITH_UDFS
from providers.sandbox.cw_fields import FIELDS, LIST_OF, MAP, VALUE
from tests.contract import openapi

AT_MODELS = {
    "Companies": "CompanyModel",
    "Contracts": "ContractModel",
    "Services": "ServiceModel",
    "ContractServices": "ContractServiceModel",
    "ContractServiceUnits": "ContractServiceUnitModel",
    "ContractCharges": "ContractChargeModel",
    "ContractServiceAdjustments": "ContractServiceAdjustmentModel",
}


def _cw_shape(schemas: dict[str, Any], prop: dict[str, Any]) -> tuple[str, ...]:
    if "$ref" in prop:
        return tuple(schemas[prop["$ref"].rsplit("/", 1)[1]]["properties"])
    if prop.get("type") == "array":
        items = prop.get("items", {})
        members = tuple(schemas[items["$ref"].rsplit("/", 1)[1]]["properties"]) if "$ref" in items else ()
        return (LIST_OF, *members)
    if prop.get("type") == "object":
        return MAP
    return VALUE


def test_connectwise_fields_are_the_documents() -> None:
    schemas = openapi.connectwise().doc["components"]["schemas"]
    for entity, table in FIELDS.items():
        properties = schemas[entity]["properties"]
        assert table == {name: _cw_shape(schemas, prop) for name, prop in properties.items()}, entity


def test_autotask_fields_are_the_swaggers() -> None:
    definitions = openapi.autotask().doc["definitions"]
    assert set(ENTITIES) == set(AT_MODELS)
    for url, (_, fields) in ENTITIES.items():
        properties = definitions[AT_MODELS[url]]["properties"]
        assert [name for name, _ in fields] == [
            p for p in properties if p not in ("userDefinedFields", "soapParentPropertyId")
        ], url
        assert ("userDefinedFields" in properties) == (url in WITH_UDFS)
        assert ("soapParentPropertyId" in properties) == (url in WITH_SOAP_PARENT)
        for name, data_type in fields:
            prop = properties[name]
            expected = {
                "integer": "long" if prop.get("format") == "int64" else "integer",
                "number": "double",
                "boolean": "boolean",
            }.get(prop["type"], "datetime" if prop.get("format") == "date-time" else "string")
            assert data_type == expected, (url, name)
