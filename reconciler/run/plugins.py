"""Finding plug-ins through entry points: providers (`ncesync.providers`), the embedded
sandbox the engine starts for `endpoint: sandbox` (`ncesync.sandbox`), and commands that
plug-ins add to the CLI (`ncesync.commands`). The engine imports no plug-in by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from reconciler.provider import Capabilities, EmbeddedSandbox, Provider, Words

GROUP = "ncesync.providers"
SANDBOX_GROUP = "ncesync.sandbox"
COMMANDS_GROUP = "ncesync.commands"


@cache
def _registered(group: str) -> tuple[EntryPoint, ...]:
    """The entry points of `group`, read once per process: reading them scans the metadata of
    every installed distribution, and a run looks its provider up several times (the same
    installation all along: a plug-in installed later is seen by the next run)."""
    return tuple(entry_points(group=group))


def provider_class(name: str) -> type[Provider]:
    """The class registered under `name`; a clear error listing what is installed otherwise."""
    found = {ep.name: ep for ep in _registered(GROUP)}
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ConfigError(f"unknown provider {name!r} (installed providers: {known})")
    loaded = found[name].load()
    if not (isinstance(loaded, type) and issubclass(loaded, Provider)):
        raise ConfigError(f"provider {name!r} ({found[name].value}) is not a ncesync Provider class")
    return loaded


def words_of(name: str) -> Words:
    """What the PSA provider `name` calls things, without building it (for texts written
    when the specs cannot be loaded, or before any read); the generic words if unknown."""
    try:
        cls = provider_class(name)
    except ConfigError:
        return Words()
    capabilities = getattr(cls, "capabilities", None)
    return capabilities.words if isinstance(capabilities, Capabilities) else Words()


def sandbox_starter() -> Callable[[Path, str, date], EmbeddedSandbox]:
    """The function that starts the embedded sandbox; a clear error when none is installed."""
    found = [ep for ep in _registered(SANDBOX_GROUP) if ep.name == "embedded"]
    if not found:
        raise ConfigError(
            "a provider says `endpoint: sandbox`, but no sandbox is installed "
            "(the ncesync.sandbox entry point `embedded`)"
        )
    starter: Callable[[Path, str, date], EmbeddedSandbox] = found[0].load()
    return starter


def plugin_commands() -> list[Any]:
    """Click commands that plug-ins add to `ncesync` (e.g. `ncesync sandbox`)."""
    return [ep.load() for ep in sorted(_registered(COMMANDS_GROUP), key=lambda ep: ep.name)]
