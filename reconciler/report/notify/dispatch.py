"""One message per channel for a finished run; a failure to send is logged, never raised."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler import secrets
from reconciler.report.notify import senders
from reconciler.report.notify.channel import channels
from reconciler.report.notify.message import render
from reconciler.secrets import mask

log = logging.getLogger(__name__)


def notify(
    settings: tuple[dict[str, Any], ...], run: dict[str, Any], *, root: Path, environ: Mapping[str, str]
) -> list[str]:
    """Tell every channel that wants to hear about `run` (`run["outcome"]`: None when it
    went well, else "failure" or "refusal"). Returns the names of the channels reached."""
    sent = []
    for channel in channels(settings):
        event = channel.event_for(run.get("outcome"))
        if event is None:
            continue
        try:
            message = render(event, run, root=root, template=channel.template)

            def resolve(value: Any, setting: str) -> str:
                return secrets.resolve(value, environ, setting=f"notify {setting}")

            if channel.type == "webhook":
                senders.webhook(channel, message, resolve, dict(run, event=event))
            else:
                getattr(senders, channel.type)(channel, message, resolve)
        except Exception as error:
            log.warning(
                "notify: channel=%s type=%s event=%s failed=%s",
                channel.name,
                channel.type,
                event,
                mask(f"{type(error).__name__}: {error}"),
            )
            continue
        log.info("notify: channel=%s type=%s event=%s sent", channel.name, channel.type, event)
        sent.append(channel.name)
    return sent
