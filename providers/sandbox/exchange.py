"""One HTTP exchange as the vendor emulators see it: a parsed Request and the Reply."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    fault: str | None = None  # the kind of injected fault that shaped this reply, if any

    def content_type_header(self) -> str:
        """The Content-Type header sent with the payload."""
        json_like = self.content_type == "application/json" or self.content_type.startswith("application/vnd.")
        return self.content_type + ("; charset=utf-8" if json_like else "")

    def payload(self) -> bytes:
        """The body as sent, encoded once however often it is asked for."""
        return self._payload

    @cached_property
    def _payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None and self.status == 204:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class Rejection(Exception):
    """Raised deep inside an emulator to answer with an error reply at once."""

    def __init__(self, reply: Reply):
        super().__init__(f"HTTP {reply.status}")
        self.reply = reply


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below the vendor prefix, e.g. /finance/agreements/5/additions
    query_string: str
    headers: Mapping[str, str]  # keys lower-cased
    body: bytes
    base_url: str  # http://127.0.0.1:PORT
    mount: str = ""  # the vendor prefix the path sits under, e.g. /connectwise/v4_6_release/apis/3.0
    params: dict[str, str] = field(default_factory=dict)  # route placeholders

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def param(self, name: str, *, ignore_case: bool = False) -> str | None:
        for key, values in self.query.items():
            if key == name or (ignore_case and key.lower() == name.lower()):
                return values[-1]
        return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self, error: Reply) -> Any:
        """The JSON body; answer `error` when it is missing or not JSON."""
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Rejection(error) from exc

    def with_params(self, params: dict[str, str]) -> Request:
        return replace(self, params=params)

    def url(self, path: str | None = None, query: str | None = None) -> str:
        """Absolute URL of `path` (default: this request's) under the vendor prefix."""
        shown = f"{self.base_url}{self.mount}{self.path if path is None else path}"
        qs = self.query_string if query is None else query
        return f"{shown}?{qs}" if qs else shown
