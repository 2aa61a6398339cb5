"""Secrets: `env:NAME` references (how specs name secrets without containing them), and the
secrets this process knows, masked in every form they travel in wherever text leaves it
(log lines: see logs.py; error messages, journal entries, alerts: `mask`)."""

from __future__ import annotations

import base64
import functools
import json
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

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
    """The secret's value. A missing or empty variable is an error naming it, never ''.

    Line breaks around the value are dropped: a secret mounted from a file or written to an
    env file often ends with one, and no credential, header or URL can carry it."""
    name = env_name(value)
    if name is None:
        if value is None or value == "":
            raise ConfigError(f"{setting} is not set in settings.yaml (write env:VARIABLE)")
        return str(value)
    raw = environ.get(name)
    resolved = (raw or "").strip("\r\n")
    if resolved.strip():
        protect(raw or "")
        protect(resolved)
        for part in url_parts(resolved):
            protect(part)
        return resolved
    if raw is None:
        raise ConfigError(
            f"{setting} refers to the environment variable {name}, which is not set; export {name}=... before running"
        )
    held = "nothing" if not raw else "only spaces or line breaks"
    raise ConfigError(
        f"{setting} refers to the environment variable {name}, which is set but holds {held}; "
        f"export {name}=... with the value before running"
    )


def url_parts(value: str) -> list[str]:
    """The parts of a secret URL that travel on their own: an HTTP client logs a request as
    its path and query alone (urllib3: `"POST /services/T0/B0/token HTTP/1.1"`), so a
    webhook's token in the path or the query must be masked there too."""
    if "://" not in value:
        return []
    parts = urlsplit(value.strip())
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    # The path alone is a part of its own only when no query follows: with a token in the
    # query it is an ordinary path ("/api"), which masked alone would cut into every log
    # line. A path segment long enough to be a token (Slack's, Teams') is masked wherever.
    tokens = [segment for segment in parts.path.split("/") if len(segment) >= TOKEN_SEGMENT]
    found = [target, parts.query, parts.password or "", *tokens]
    return [p for p in found if len(p) >= MIN_BASE64_CORE]


class Redactor:
    """Replaces secret values in text (log lines, error messages, journal entries) with '***'.

    Not only the value as written: a secret also travels percent-encoded (a query string:
    `user=CANARY%40example.com`, upper or lower hex, `+` or `%20` for a space, encoded twice
    when a URL is nested in another), escaped inside JSON or a repr, and base64-encoded (HTTP
    Basic auth, where it sits at any offset inside a longer encoded string). Each form is
    masked; of a base64 encoding, the characters that depend on the secret alone.

    Each secret's forms are one pattern, compiled once per process (`_pattern_of`): adding a
    secret costs that secret alone, not the whole set again (a process that syncs many times
    is issued a Dicker Data key per run). Every character that any form of any secret covers
    is masked; overlapping matches, of one secret or of two, become one '***', so no part of
    a longer secret survives next to a shorter one.
    """

    def __init__(self, secrets: list[str]):
        values = sorted({s for s in secrets if s and len(s) >= MIN_SECRET})
        self._patterns = [p for p in map(_pattern_of, values) if p is not None]

    def __call__(self, text: str) -> str:
        if not self._patterns or not text:
            return text
        spans = sorted(m.span() for pattern in self._patterns for m in pattern.finditer(text))
        if not spans:
            return text
        pieces, done = [], 0
        for start, end in _merged(spans):
            pieces += [text[done:start], "***"]
            done = end
        pieces.append(text[done:])
        return "".join(pieces)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones joined (touching ones stay apart: '******')."""
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.lru_cache(maxsize=4096)
def _pattern_of(secret: str) -> re.Pattern[str] | None:
    return _alternation(encodings(secret))


MIN_SECRET = 4  # shorter values would mask ordinary words
MIN_BASE64_CORE = 8  # a shorter run of base64 characters matches too much by chance
TOKEN_SEGMENT = 16  # a URL path segment this long is a token, not a word


def encodings(secret: str) -> set[str]:
    """Every form of `secret` that a log line, URL, header or JSON text may carry."""
    forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret), quote(secret, safe="@:")):
        forms |= {encoded, _lower_hex(encoded), quote(encoded, safe=""), quote_plus(encoded)}
    forms |= _base64_cores(secret.encode("utf-8"))
    return {f for f in forms if len(f) >= MIN_SECRET}


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def _base64_cores(data: bytes) -> set[str]:
    """For each of the three alignments the secret can have inside a longer base64 text, the
    run of output characters made from the secret's bits only (standard and URL alphabets)."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii").rstrip("=")
        start = -(-offset * 4 // 3)  # the first character with no bit of the padding before
        end = (8 * (offset + len(data))) // 6  # the last character fully made of the secret
        core = encoded[start:end]
        if len(core) >= MIN_BASE64_CORE:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


def _alternation(forms: set[str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)  # the longest form first: no partial masks
    return re.compile("|".join(re.escape(f) for f in ordered))


class KnownSecrets:
    """Every secret this process has resolved or been issued, and the Redactor for them."""

    def __init__(self) -> None:
        self._secrets: frozenset[str] = frozenset()
        self._redactor = Redactor([])
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            with self._lock:
                self._secrets = self._secrets | {secret}
                self._redactor = Redactor(sorted(self._secrets))

    def snapshot(self) -> frozenset[str]:
        return self._secrets

    def forget_all_but(self, kept: frozenset[str]) -> None:
        """Mask only `kept` from now on (a test session resetting between tests)."""
        with self._lock:
            if self._secrets != kept:
                self._secrets = frozenset(kept)
                self._redactor = Redactor(sorted(kept))

    def mask(self, text: str) -> str:
        return self._redactor(text) if self._secrets else text

    def __bool__(self) -> bool:
        return bool(self._secrets)


KNOWN = KnownSecrets()


def protect(secret: str) -> None:
    """Mask `secret` in every log record and message from now on, in this process."""
    KNOWN.add(secret)


def mask(text: str) -> str:
    """`text` with every known secret replaced by '***' (messages, journal entries)."""
    return KNOWN.mask(text)
