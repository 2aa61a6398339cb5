"""The world file: the sandbox's JSON state, validated on load and written atomically.

Validating a generated world of 5,000 Autotask clients (1.4 million unit rows) against the
schema takes over a minute, and every test and benchmark run loads a copy of a world this
process has already validated or generated. So the digests of the texts found valid are
remembered for the life of the process: the same bytes are validated once. Once the worlds
a process has checked add up to half a megabyte of text, the schema is compiled to Python
(fastjsonschema, about fifteen times quicker; reconciler/specs/schema.py `SchemaCheck`);
a small world, as the demo and most tests have, is checked by jsonschema alone, which takes
less time than compiling would. When the compiled check finds a problem, jsonschema lists
every violation and where.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator

from reconciler.apply.oslock import OsLock
from reconciler.atomic import write_text_atomic
from reconciler.errors import ConfigError
from reconciler.specs.schema import SchemaCheck, compiled

log = logging.getLogger(__name__)

SCHEMA_NAME = "world.schema.json"
REMEMBERED = 64  # digests of valid world texts kept per process

_valid_texts: dict[bytes, None] = {}  # insertion-ordered, so the oldest is dropped first
_valid_lock = threading.Lock()


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
    return cast("dict[str, Any]", json.loads(text))  # a JSON Schema document is an object


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(world_schema())


WORLD_TEXT_BEFORE_COMPILING = 500_000  # characters: compiling costs what jsonschema takes for ~450 KB
_QUICK = SchemaCheck(lambda: compiled(world_schema()), compile_after=WORLD_TEXT_BEFORE_COMPILING)


def validate_world(world: Any, *, source: str = "world", size: int) -> None:
    """Raise ConfigError listing every schema violation (path and message). `size`: the
    length of the world's JSON text (what decides whether compiling the schema pays)."""
    if _QUICK.quickly_valid(world, size):
        return
    errors = sorted(_validator().iter_errors(world), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{source}: {e.json_path}: {e.message}" for e in errors[:20]]
        raise ConfigError("the sandbox world file is invalid:\n" + "\n".join(lines))


def load_world(path: Path) -> dict[str, Any]:
    """Read and validate a world file. Raises ConfigError when missing, unreadable or invalid."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        world = json.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sandbox world file {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}{_reset_hint(path)}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}{_reset_hint(path)}") from exc
    digest = hashlib.sha256(raw).digest()
    if not _known_valid(digest):
        validate_world(world, source=str(path), size=len(raw))
        _remember_valid(digest)
    return cast("dict[str, Any]", world)  # valid against the world schema, whose top level is an object


def _reset_hint(path: Path) -> str:
    """What to do about a damaged working copy (.ncesync/world.json): make it again."""
    return "; `ncesync sandbox reset` makes the working copy again" if path.parent.name == ".ncesync" else ""


# The levels laid out over lines: the world, its vendors (and meta), their collections.
# Deeper values (each record) are written on one line by json's C encoder; indenting every
# level takes the pure-Python encoder (0.27 s against 0.12 s for a world of 1,200 Autotask
# clients), and the sandbox saves its world after every write.
LAID_OUT_LEVELS = 3
_ONE_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def dump_world(world: dict[str, Any]) -> str:
    """The canonical text of a world: sorted keys, vendors and collections indented two
    spaces, one record a line (a diff shows the records that changed), final newline."""
    return _laid_out(world, 0) + "\n"


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    return json.dumps(key) if key is None or isinstance(key, (bool, int, float)) else str(key)


def _laid_out(value: Any, level: int) -> str:
    if level >= LAID_OUT_LEVELS or not isinstance(value, (dict, list)) or not value:
        return _ONE_LINE.encode(value)
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        keys = {_key_text(key): key for key in value}  # as json names them: 1 -> "1", True -> "true"
        items = [f"{inner}{_ONE_LINE.encode(name)}: {_laid_out(value[keys[name]], level + 1)}" for name in sorted(keys)]
        return "{" + ",".join(items) + "\n" + "  " * level + "}"
    items = [inner + _laid_out(item, level + 1) for item in value]
    return "[" + ",".join(items) + "\n" + "  " * level + "]"


def validated_text(world: dict[str, Any], *, source: str) -> str:
    """The world's canonical text, once `world` is found valid (ConfigError otherwise);
    loading this text again in this process needs no second validation."""
    text = dump_world(world)
    validate_world(world, source=source, size=len(text))
    _remember_valid(hashlib.sha256(text.encode("utf-8")).digest())
    return text


def _known_valid(digest: bytes) -> bool:
    with _valid_lock:
        return digest in _valid_texts


def _remember_valid(digest: bytes) -> None:
    with _valid_lock:
        _valid_texts[digest] = None
        while len(_valid_texts) > REMEMBERED:
            del _valid_texts[next(iter(_valid_texts))]


def world_lock(path: Path) -> OsLock:
    """The lock every process writing the world file at `path` takes (`.<name>.lock` beside it)."""
    path = Path(path)
    return OsLock(path.with_name(f".{path.name}.lock"))


def save_world_atomic(path: Path, world: dict[str, Any]) -> None:
    """Write the world whole or not at all (reconciler/atomic.py): a crash at any point
    leaves either the old file or the new one, never a torn file."""
    write_text_atomic(path, dump_world(world))
    log.debug("world: saved path=%s", path)
