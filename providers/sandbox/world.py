"""The world file: the sandbox's JSON state, validated on load and written atomically."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from reconciler.errors import ConfigError
from reconciler.apply.oslock import OsLock

log = logging.getLogger(__name__)

SCHEMA_NAME = "world.schema.json"


@lru_cache(maxsize=1)
def world_schema() -> dict[str, Any]:
    """The world schema, from the installed `reconciler.schemas` package.

    A source checkout whose editable install predates that package mapping still has the
    top-level `schemas/` folder next to `providers/`: use it then.
    """
    try:
        text = resources.files("reconciler.schemas").joinpath(SCHEMA_NAME).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        source = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME
        text = source.read_text("utf-8")
    return json.loads(text)


def validate_world(world: Any, *, source: str = "world") -> None:
    """Raise ConfigError listing every schema violation (path and message)."""
    validator = Draft202012Validator(world_schema())
    errors = sorted(validator.iter_errors(world), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{source}: {e.json_path}: {e.message}" for e in errors[:20]]
        raise ConfigError("the sandbox world file is invalid:\n" + "\n".join(lines))


def load_world(path: Path) -> dict[str, Any]:
    """Read and validate a world file. Raises ConfigError when missing, unreadable or invalid."""
    path = Path(path)
    try:
        world = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sandbox world file {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    validate_world(world, source=str(path))
    return world


def dump_world(world: dict[str, Any]) -> str:
    """The canonical text of a world: sorted keys, two-space indent, final newline."""
    return json.dumps(world, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def world_lock(path: Path) -> OsLock:
    """The lock every process writing the world file at `path` takes (`.<name>.lock` beside it)."""
    path = Path(path)
    return OsLock(path.with_name(f".{path.name}.lock"))


def save_world_atomic(path: Path, world: dict[str, Any]) -> None:
    """Write to a temp file in the same folder, fsync, then os.replace.

    A crash at any point leaves either the old file or the new one, never a torn file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_world(world))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.debug("world: saved path=%s", path)
