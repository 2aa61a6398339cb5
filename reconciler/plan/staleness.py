"""Is a saved plan still what a fresh read would plan? If not, say what moved."""

from __future__ import annotations

from reconciler.errors import StalePlanError
from reconciler.plan.plan import Plan

SIDES = {"source": "Dicker Data changed", "psa": "the PSA was edited", "specs": "the client's spec changed"}


def differences(saved: Plan, fresh: Plan) -> list[str]:
    found = []
    for client_id in sorted(set(saved.clients) | set(fresh.clients)):
        old, new = saved.clients.get(client_id), fresh.clients.get(client_id)
        if old is None or new is None:
            known = old or new
            name = known.name if known else client_id
            found.append(f"{name}: {'added to' if old is None else 'no longer in'} the run")
            continue
        moved = [text for side, text in SIDES.items() if getattr(old.digest, side) != getattr(new.digest, side)]
        if moved:
            found.append(
                f"{new.name} [{client_id}]: {', '.join(moved)} (seats: Dicker Data {old.seats_dicker_data} -> "
                f"{new.seats_dicker_data}, PSA {old.seats_psa} -> {new.seats_psa})"
            )
    if saved.sync_date != fresh.sync_date:
        found.append(f"the sync date moved from {saved.sync_date} to {fresh.sync_date}")
    return found


def ensure_current(saved: Plan, fresh: Plan) -> None:
    """Refuse a saved plan whose inputs moved, or whose changes are not what ncesync plans
    from those same inputs now (a hand-edited file, or one made by another version)."""
    if saved.fingerprint != fresh.fingerprint:
        found = differences(saved, fresh) or ["the inputs differ (fingerprints do not match)"]
        raise StalePlanError(
            "the saved plan is stale; make a new plan and review it. What changed since it was made:\n  "
            + "\n  ".join(found)
        )
    if [c.to_json() for c in saved.changes] != [c.to_json() for c in fresh.changes]:
        raise StalePlanError(
            "the saved plan's changes are not the changes ncesync plans from the same inputs now "
            "(was the file edited, or made by another ncesync version?); make a new plan and review it"
        )
