"""A plan's changes as people read them: one row per thing done, clients by money at stake.

The plan's data keeps one change per PSA write (a dated adjustment and the invoice text of
its line are two writes). A reader counts one seat change, so a change that
only rewrites the invoice description joins the row of its licence's seat change or new
line. Clients come in order of the money at stake (absolute run-rate change plus absolute
one-off, summed over their rows), largest first; ties by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reconciler.plan import tally

ZERO = Decimal("0.00")


def _description_only(change: dict[str, Any]) -> bool:
    return change["action"] == "update_line" and set(change["after"]) == {"invoice_description"}


def rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per change, with description-only updates folded into their licence's row."""
    out: list[dict[str, Any]] = []
    by_licence: dict[tuple[Any, ...], dict[str, Any]] = {}
    for change in changes:
        licence = (change["client_id"], change["agreement_id"], change["product_id"])
        earlier = by_licence.get(licence)
        if earlier is not None and earlier["description"] is None and _description_only(change):
            earlier["description"] = change
            continue
        row: dict[str, Any] = {
            "symbol": tally.symbol(change),
            "change": change,
            "description": None,
            "effects": sorted(tally.effects(change)),
        }
        out.append(row)
        by_licence.setdefault(licence, row)
    for row in out:
        parts = [row["change"]] + ([row["description"]] if row["description"] else [])
        row["runrate"] = str(sum((Decimal(c["runrate_change"]) for c in parts), ZERO))
        row["one_off"] = str(sum((Decimal(c["one_off"]) for c in parts), ZERO))
        row["at_stake"] = abs(Decimal(row["runrate"])) + abs(Decimal(row["one_off"]))
    return out


def client_groups(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each client's rows, errors, warnings, review entries, seats and money, largest money
    at stake first."""
    groups: dict[str, dict[str, Any]] = {}

    def slot(client_id: str | None, name: str | None) -> dict[str, Any]:
        key = client_id or ""
        if key not in groups:
            groups[key] = {
                "id": key,
                "name": name or "(no client)",
                "changes": [],
                "errors": [],
                "warnings": [],
                "review": [],
            }
        return groups[key]

    for change in data["changes"]:
        slot(change["client_id"], change["client_name"])["changes"].append(change)
    for name in ("errors", "warnings", "review"):
        for item in data.get(name, []):
            slot(item.get("client_id"), item.get("client_name"))[name].append(item)
    out = []
    for key, group in groups.items():
        seats = data.get("clients", {}).get(key, {})
        group_rows = rows(group["changes"])
        out.append(
            dict(
                group,
                rows=group_rows,
                seats_psa=seats.get("seats_psa"),
                seats_dicker_data=seats.get("seats_dicker_data"),
                runrate=str(sum((Decimal(r["runrate"]) for r in group_rows), ZERO)),
                one_off=str(sum((Decimal(r["one_off"]) for r in group_rows), ZERO)),
                at_stake=sum((r["at_stake"] for r in group_rows), ZERO),
            )
        )
    out.sort(key=lambda g: (-g["at_stake"], g["name"].lower(), g["id"]))
    return out


def review_items(clients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's review entries in the clients' order: largest money at stake first."""
    return [item for client in clients for item in client["review"]]


def clients_with_changes(data: dict[str, Any]) -> int:
    return len({c["client_id"] for c in data["changes"]})
