"""How one journal entry reads in `ncesync journal`: the PSA's own words, the seats before
and after, and the PSA's error text when the write failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reconciler.apply.journal import STARTED
from reconciler.run.plugins import words_of


def psa_provider(root: Path) -> str:
    """The deployment's PSA, read from settings.yaml alone: a journal must stay readable
    while the rest of the specs are being fixed."""
    try:
        data = yaml.safe_load((root / "specs" / "settings.yaml").read_text(encoding="utf-8"))
        return str(data["psa"]["provider"])
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError):  # ValueError: not UTF-8
        return ""


def seats(entry: dict[str, Any]) -> str | None:
    """'seats 12 -> 15' (or 'seats none -> 5' for a new line); None when the write moves none."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    for name in ("units_in_force", "quantity"):
        if name in after and (name in before or entry.get("action") in ("create_line", "create_adjustment")):
            old = before.get(name)
            return f"seats {'none' if old is None else old} -> {after[name]}"
    return None


def entry_lines(entry: dict[str, Any], psa: str) -> list[str]:
    record = f" record {entry['record_id']}" if entry.get("record_id") is not None else ""
    where = words_of(psa).agreement
    # A write sent by a run that was killed before it journaled the answer: the next apply
    # re-reads the PSA and journals what happened.
    outcome = "interrupted" if entry["outcome"] == STARTED else entry["outcome"]
    out = [
        (
            f"{entry['time']} run {entry['run_id']} {outcome:<7} {entry['client_name']}: "
            f"{entry['action']} {entry['product_id']} on {where} {entry['agreement_id']}{record}"
        )
    ]
    moved = seats(entry)
    if moved:
        out.append(f"    {moved} from {entry.get('effective_date')}")
    out.append(f"    why: {entry['reason']}")
    if entry.get("intended_date"):
        out.append(
            f"    dated {entry['effective_date']} instead of {entry['intended_date']} (that day already "
            f"held a dated change); invoice effect {entry.get('moved_effect')}"
        )
    if entry.get("error"):
        out.append(f"    error: {entry['error']}")
    if entry.get("note"):
        out.append(f"    note: {entry['note']}")
    return out
