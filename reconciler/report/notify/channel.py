"""A `notify:` entry of settings.yaml: where messages go and which events it wants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAILURE = "failure"  # the run failed, or some of its writes did
REFUSAL = "refusal"  # a safety guard refused the plan
SUMMARY = "summary"  # every run: money in and out, what needs review, how it ended
SEVERITY = (FAILURE, REFUSAL, SUMMARY)  # a channel gets one message a run: the first it wants


@dataclass(frozen=True)
class Channel:
    type: str  # teams | slack | webhook | email
    name: str
    events: frozenset[str]
    options: dict[str, Any] = field(default_factory=dict)  # url, headers, host, ... (env: unresolved)
    template: str | None = None  # a Jinja2 file relative to the deployment folder
    timeout: float = 10.0

    def event_for(self, run_event: str | None) -> str | None:
        """The one event this channel is told about for a run that ended with `run_event`
        (None: it went well): an alert when it wants that alert, else the summary."""
        if run_event in self.events:
            return run_event
        return SUMMARY if SUMMARY in self.events else None


def channels(settings: tuple[dict[str, Any], ...]) -> list[Channel]:
    out = []
    for i, entry in enumerate(settings):
        rest = {k: v for k, v in entry.items() if k not in ("type", "name", "events", "template", "timeout")}
        out.append(
            Channel(
                type=entry["type"],
                name=entry.get("name") or f"notify[{i}] {entry['type']}",
                events=frozenset(entry["events"]),
                options=rest,
                template=entry.get("template"),
                timeout=float(entry.get("timeout", 10)),
            )
        )
    return out
