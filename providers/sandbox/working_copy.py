"""The working copy of a deployment's world: `.ncesync/world.json`, the file apply changes.

The generated `sandbox/world.json` is never modified; `reset` restores the working copy
from it (the demo starts with `ncesync sandbox reset`).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import yaml

from providers.sandbox.world import world_lock
from reconciler.errors import ConfigError

log = logging.getLogger(__name__)

STATE_DIR = ".ncesync"
WORKING_NAME = "world.json"
DEFAULT_WORLD = "sandbox/world.json"


def world_setting(root: Path) -> str:
    """`sandbox.world` from specs/settings.yaml, or the default path."""
    settings = Path(root) / "specs" / "settings.yaml"
    try:
        data = yaml.safe_load(settings.read_text("utf-8")) or {}
    except FileNotFoundError:
        return DEFAULT_WORLD
    sandbox = data.get("sandbox") if isinstance(data, dict) else None
    world = sandbox.get("world") if isinstance(sandbox, dict) else None
    return str(world) if world else DEFAULT_WORLD


def working_world(root: Path, world_rel: str) -> Path:
    """The working copy's path; copied from the pristine world first when it is missing."""
    root = Path(root)
    target = root / STATE_DIR / WORKING_NAME
    if not target.exists():
        _copy(root / world_rel, target)
    return target


def reset(dest: Path) -> Path:
    """Restore `.ncesync/world.json` from the deployment's pristine world; return its path."""
    dest = Path(dest)
    target = dest / STATE_DIR / WORKING_NAME
    _copy(dest / world_setting(dest), target)
    return target


def _copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise ConfigError(f"sandbox world {source} does not exist (run `ncesync sandbox init`)")
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = world_lock(target)  # a sandbox serving this world may be writing it right now
    lock.acquire(wait=True)
    try:
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    finally:
        lock.release()
    log.info("sandbox: working world copied source=%s target=%s", source, target)
