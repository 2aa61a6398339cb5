"""What the emulated Autotask refuses in a write's body, by the entity's own model (the
fields `entityInformation/fields` lists for it, providers/sandbox/autotask_records.py):

* a member the entity does not have (names are matched in any case, as Autotask's JSON
  reader does, and kept as the model spells them);
* a value of the wrong type: a number sent as a string, a fraction where a whole number
  goes, anything but true or false for a boolean ("a null boolean will return an error",
  Autotask's REST introduction);
* a string longer than the field's length (100);
* a picklist value the database does not have;
* a read-only field (the dates Autotask keeps, amounts it computes); an update names its
  record by `id`, which the caller reads;
* on a create, a required field left out or null.

Autotask answers each of these with a 500 and an `errors` array (vendor-apis.md B.6); the
texts are the sandbox's own, one per problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from providers.sandbox.autotask_errors import at_error
from providers.sandbox.autotask_records import PICKLISTS, READ_ONLY, REQUIRED, EntityShape
from providers.sandbox.exchange import Rejection

STRING_LENGTH = 100  # what entityInformation/fields says of every string field


def checked_write(
    shape: EntityShape, body: dict[str, Any], *, creating: bool, given: Iterable[str] = ()
) -> dict[str, Any]:
    """`body` with its members named as the model names them; a Rejection (500) listing every
    problem otherwise. `given`: required fields the URL supplies (a parent contract's id)."""
    spelled = {name.lower(): name for name in shape.fields}
    required = REQUIRED.get(shape.url_name, set())
    problems: list[str] = []
    named: dict[str, Any] = {}
    for member, value in body.items():
        field = spelled.get(member.lower())
        if field is None:
            problems.append(f"Unable to find {member} in the {shape.name} Entity.")
            continue
        named[field] = value
        if field == "id" and not creating:
            continue
        if field in READ_ONLY:
            problems.append(f"{field} is read-only on {shape.name}.")
        elif value is None:
            if shape.types[field] == "boolean" or field in required:
                problems.append(f"{field} cannot be null on {shape.name}.")
        else:
            problems += _value_problems(shape, field, value)
    if creating:
        supplied = set(given)
        problems += [
            f"{field} is required on {shape.name}."
            for field in sorted(required)
            if field not in supplied and named.get(field) in (None, "")
        ]
    if problems:
        raise Rejection(at_error(500, *problems))
    return named


def _value_problems(shape: EntityShape, field: str, value: Any) -> list[str]:
    kind = shape.types[field]
    if not _of_type(kind, value):
        article = "an" if kind[0] in "aeiou" else "a"
        return [f"{field} must be {article} {kind}, not {value!r:.40}."]
    if kind == "string" and len(value) > STRING_LENGTH:
        return [f"{field} is {len(value)} characters long; at most {STRING_LENGTH} are allowed."]
    picklist = PICKLISTS.get((shape.url_name, field))
    if picklist and value not in {allowed for allowed, _ in picklist}:
        return [f"{value!r} is not a value of the {field} picklist."]
    return []


def _of_type(kind: str, value: Any) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    if kind in ("integer", "long"):
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind in ("double", "decimal"):
        return isinstance(value, int | float)
    if kind in ("string", "datetime"):
        return isinstance(value, str)
    return kind != "boolean"
