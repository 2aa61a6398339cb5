"""Sending one message through one channel. Each sender raises on failure; the dispatcher
logs it. Webhooks get one POST with a timeout and no retry: an alert that arrives twice
is worse than one logged as lost, and the next run sends again.

requests and smtplib are imported when a message is sent: most runs send none, and every
ncesync command would otherwise pay about 30 ms to import them."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import smtplib

from reconciler.report.notify.channel import Channel
from reconciler.report.notify.message import Message

Resolve = Callable[[Any, str], str]  # (value, setting name) -> the value, env: resolved


def _post(url: str, body: dict[str, Any], channel: Channel, headers: dict[str, str] | None = None) -> None:
    # A webhook URL is a credential (its path is the token): errors name the host only.
    import requests

    host = urlsplit(url).netloc
    try:
        response = requests.post(url, json=body, headers=headers or {}, timeout=channel.timeout)
    except requests.RequestException as error:
        raise RuntimeError(f"{host} could not be reached ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise RuntimeError(f"{host} answered HTTP {response.status_code}: {response.text[:200]}")


def teams(channel: Channel, message: Message, resolve: Resolve) -> None:
    """A Teams incoming webhook (a Workflows "post to a channel when a webhook request is
    received" flow, or a classic connector): one Adaptive Card."""
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": True},
            *({"type": "TextBlock", "text": part, "wrap": True} for part in message.text.split("\n\n") if part),
        ],
    }
    body = {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
    _post(resolve(channel.options["url"], f"{channel.name}.url"), body, channel)


def slack(channel: Channel, message: Message, resolve: Resolve) -> None:
    text = f"*{message.title}*\n{message.text}"
    _post(resolve(channel.options["url"], f"{channel.name}.url"), {"text": text}, channel)


def webhook(channel: Channel, message: Message, resolve: Resolve, run: dict[str, Any]) -> None:
    headers = {k: resolve(v, f"{channel.name}.headers.{k}") for k, v in (channel.options.get("headers") or {}).items()}
    body = {"event": run["event"], "title": message.title, "text": message.text, "run": run}
    _post(resolve(channel.options["url"], f"{channel.name}.url"), body, channel, headers)


def email(channel: Channel, message: Message, resolve: Resolve) -> None:
    import smtplib

    options = channel.options
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = message.title, options["from"], ", ".join(options["to"])
    mail.set_content(message.text + "\n")
    security = options.get("security", "starttls")
    port = int(options.get("port", 465 if security == "ssl" else 587))
    if security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            options["host"], port, timeout=channel.timeout, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(options["host"], port, timeout=channel.timeout)
    with server:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if options.get("username"):
            server.login(
                resolve(options["username"], f"{channel.name}.username"),
                resolve(options.get("password"), f"{channel.name}.password"),
            )
        server.send_message(mail)
