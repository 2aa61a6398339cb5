"""`env:NAME` references: how specs name secrets without containing them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.errors import ConfigError

ENV_REF = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


def env_name(value: Any) -> str | None:
    """The variable name when `value` is an `env:NAME` reference, else None."""
    if isinstance(value, str):
        match = ENV_REF.match(value.strip())
        if match:
            return match.group(1)
    return None


def resolve(value: Any, environ: Mapping[str, str], *, setting: str) -> str:
    """The secret's value. A missing or empty variable is an error naming it, never ''."""
    name = env_name(value)
    if name is None:
        if value is None or value == "":
            raise ConfigError(f"{setting} is not set in settings.yaml (write env:VARIABLE)")
        return str(value)
    resolved = environ.get(name, "")
    if resolved:
        from reconciler.logs import protect  # late import: logs depends on this module

        protect(resolved)
    if not resolved:
        raise ConfigError(
            f"{setting} refers to the environment variable {name}, which is not set; "
            f"export {name}=... before running"
        )
    return resolved


class Redactor:
    """Replaces secret values in text (log lines, error messages) with '***'."""

    def __init__(self, secrets: list[str]):
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text
