"""The emulated Autotask refuses a write body its entity's model does not allow (a member it
does not have, a wrong type, an over-long string, a picklist value it lacks, a read-only or
a missing required field), with a 500 and an `errors` array, as Autotask answers; so a
client that sent one would fail its tests here, not at an MSP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import VendorSession

CHARGE = {
    "name": "M365 BP June",
    "description": "seats",
    "datePurchased": "2024-06-01T00:00:00",
    "unitQuantity": 12,
    "unitPrice": 36.3,
    "isBillableToCompany": True,
    "chargeType": 1,
    "status": 1,
}
ADJUSTMENT = {"contractID": 7001, "serviceID": 9001, "unitChange": 1, "effectiveDate": "2024-06-20T00:00:00"}


def _refused(answer: Any, *words: str) -> None:
    assert answer.status_code == 500, answer.text
    errors = answer.json()["errors"]
    assert all(any(word in error for error in errors) for word in words), errors


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"bogusField": 1}, ("Unable to find bogusField in the ContractCharge Entity",)),
        ({"unitQuantity": "3"}, ("unitQuantity must be a double",)),
        ({"unitPrice": "abc"}, ("unitPrice must be a double",)),
        ({"isBillableToCompany": None}, ("isBillableToCompany cannot be null",)),
        ({"name": "n" * 101}, ("name is 101 characters long",)),
        ({"chargeType": 99}, ("99 is not a value of the chargeType picklist",)),
        ({"status": "weird"}, ("status must be a long",)),
        ({"billableAmount": 999}, ("billableAmount is read-only",)),
        ({"chargeType": None, "status": None}, ("chargeType cannot be null", "status cannot be null")),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else "",
)
def test_a_charge_the_model_does_not_allow_is_refused(at: VendorSession, change: dict, words: tuple) -> None:
    _refused(at.post("/Contracts/7001/Charges", json={**CHARGE, **change}), *words)


def test_a_charge_without_its_required_fields_is_refused(at: VendorSession) -> None:
    body = {k: v for k, v in CHARGE.items() if k not in ("chargeType", "status")}
    _refused(at.post("/Contracts/7001/Charges", json=body), "chargeType is required", "status is required")


def test_a_charge_as_the_model_allows_is_made_with_its_names_as_the_model_spells_them(at: VendorSession) -> None:
    made = at.post("/Contracts/7001/Charges", json={**CHARGE, "UnitQuantity": 3, "unitQuantity": 3})
    assert made.status_code == 200, made.text
    charge = at.get(f"/Contracts/7001/Charges/{made.json()['itemId']}").json()["item"]
    assert charge["unitQuantity"] == 3


@pytest.mark.parametrize(
    "patch",
    [{"billableAmount": 999}, {"createDate": "2020-01-01T00:00:00"}, {"zzz": 1}, {"unitPrice": "1.00"}],
    ids=["computed amount", "read-only date", "unknown member", "price as text"],
)
def test_a_charge_update_the_model_does_not_allow_is_refused(at: VendorSession, patch: dict) -> None:
    made = at.post("/Contracts/7001/Charges", json=CHARGE).json()["itemId"]
    _refused(at.patch("/Contracts/7001/Charges", json={"id": made, **patch}))
    assert at.get(f"/Contracts/7001/Charges/{made}").json()["item"]["unitPrice"] == 36.3


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"adjustedUnitPrice": "abc"}, ("adjustedUnitPrice must be a double",)),
        ({"bogus": 1}, ("Unable to find bogus",)),
        ({"unitChange": 1.5}, ("unitChange must be an integer",)),
    ],
    ids=["price as text", "unknown member", "fraction of a unit"],
)
def test_an_adjustment_the_model_does_not_allow_changes_nothing(at: VendorSession, sandbox, change, words) -> None:
    before = sandbox.records("autotask", "contractServiceUnits")
    _refused(at.post("/ContractServiceAdjustments", json={**ADJUSTMENT, **change}), *words)
    assert sandbox.records("autotask", "contractServiceUnits") == before


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ({"unitPrice": "abc"}, ("unitPrice must be a double",)),
        ({"invoiceDescription": "x" * 101}, ("invoiceDescription is 101 characters long",)),
    ],
    ids=["price as text", "description too long"],
)
def test_a_contract_service_update_the_model_does_not_allow_is_refused(at: VendorSession, patch, words) -> None:
    _refused(at.patch("/Contracts/7001/Services", json={"id": 1, **patch}), *words)
