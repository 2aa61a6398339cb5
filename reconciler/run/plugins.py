"""Finding provider classes through the `ncesync.providers` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from reconciler.provider import Capabilities, Provider, Words
from reconciler.errors import ConfigError

GROUP = "ncesync.providers"


def provider_class(name: str) -> type[Provider]:
    """The class registered under `name`; a clear error listing what is installed otherwise."""
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
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

