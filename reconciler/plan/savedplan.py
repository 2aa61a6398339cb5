"""Reading a plan file saved with `plan --out`, and checking it belongs to this deployment.

A plan from a newer or older ncesync, or made for another PSA or sync type, is refused
with what is wrong and what to do, before anything is read from the vendors.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from jsonschema.exceptions import best_match

from reconciler.errors import ConfigError
from reconciler.model import Deployment
from reconciler.plan.plan import FORMAT_VERSION, Plan
from reconciler.run.runtime import EARLIEST_SYNC_DATE, LATEST_SYNC_DATE
from reconciler.specs.schema import validator

REMAKE = "make the plan again with `ncesync plan --out FILE`"


def plan_data(path: Path) -> dict[str, Any]:
    """The file's plan data, checked against the plan schema of this version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable plan file ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not an ncesync plan (a JSON {type(data).__name__}); {REMAKE}")
    _check_version(path, data.get("format_version"))
    problem = best_match(validator("plan").iter_errors(data))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "the top level"
        raise ConfigError(f"{path}: not an ncesync plan (at {where}: {problem.message}); {REMAKE}")
    return data


def load_plan(path: Path) -> Plan:
    data = plan_data(path)
    try:
        return Plan.from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable ncesync plan file ({exc}); {REMAKE}") from exc


def check_fits(path: Path, plan: Plan, deployment: Deployment) -> None:
    """Refuse a plan made for another PSA or sync type than this deployment's."""
    settings = deployment.settings
    if plan.psa != settings.psa.name:
        raise ConfigError(
            f"{path} was made for {_article(plan.psa)} {plan.psa} deployment, but {deployment.root} syncs into "
            f"{settings.psa.name} (specs/settings.yaml psa.provider); apply it from the deployment it "
            f"was made for, or {REMAKE} here"
        )
    if plan.sync_type != settings.sync_type:
        raise ConfigError(
            f"{path} is a {plan.sync_type} sync plan, but {deployment.root} has `sync: type: "
            f"{settings.sync_type}`; {REMAKE} here"
        )
    day = date.fromisoformat(plan.sync_date)
    if not EARLIEST_SYNC_DATE <= day <= LATEST_SYNC_DATE:
        raise ConfigError(f"{path}: sync date {day} is outside {EARLIEST_SYNC_DATE} to {LATEST_SYNC_DATE}")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _check_version(path: Path, version: Any) -> None:
    if version == FORMAT_VERSION:
        return
    if version is None:
        raise ConfigError(f"{path} has no format_version: not an ncesync plan file; {REMAKE}")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise ConfigError(
            f"{path} was made by a newer ncesync (plan format {version}; this ncesync reads format "
            f"{FORMAT_VERSION}): upgrade ncesync where you apply, or {REMAKE} with this version"
        )
    raise ConfigError(
        f"{path} has plan format {version!r}, which this ncesync does not read (it reads format "
        f"{FORMAT_VERSION}); {REMAKE} with this version"
    )
