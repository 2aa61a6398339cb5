"""The text of a notification, from a Jinja2 template: its first line is the title (the
email subject, the card's heading), the rest is the body.

Built-in templates live in templates/; a channel's own `template:` file replaces them for
every event (it can branch on `run.event`). Templates run sandboxed with strict undefined
variables: a typo fails loudly in the log instead of sending an empty alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reconciler.money import money, nonzero, signed_money

_FILTERS = {"money": money, "signed_money": signed_money, "nonzero": nonzero}


@dataclass(frozen=True)
class Message:
    title: str
    text: str


def _environment(loader: Any) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=loader, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
    )
    env.filters.update(_FILTERS)
    return env


_BUILT_IN = _environment(PackageLoader("reconciler.report.notify", "templates"))


def render(event: str, run: dict[str, Any], *, root: Path, template: str | None = None) -> Message:
    """The message of `event` about `run` (the run report: see outcome.py)."""
    if template:
        path = (root / template).resolve()
        env = _environment(FileSystemLoader(str(path.parent)))
        text = env.get_template(path.name).render(run=dict(run, event=event))
    else:
        text = _BUILT_IN.get_template(f"{event}.txt.j2").render(run=dict(run, event=event))
    title, _, body = text.strip().partition("\n")
    return Message(title.strip(), body.strip())
