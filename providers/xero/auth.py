"""Xero's custom connection: an OAuth 2.0 access token for the client credentials grant.

One token serves every call until shortly before it expires (Xero's last 30 minutes);
then the next call fetches a new one. A 401 on an API call drops the token, so the call
after it authenticates afresh. Thread-safe: parallel calls share one token and one fetch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler import clock
from reconciler.errors import ProviderError

REFRESH_MARGIN = 60.0  # seconds before expiry at which a token is replaced
DEFAULT_TOKEN_URL = "https://identity.xero.com/connect/token"


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # on the shared clock's monotonic time


class TokenSource:
    """Fetches a token with `fetch(form) -> JSON answer` and keeps it while it is good."""

    def __init__(self, fetch: Callable[[dict[str, str]], Any], *, scopes: str | None = None):
        self._fetch = fetch
        self._scopes = scopes
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.fetched = 0  # tokens fetched so far
        self.granted: frozenset[str] | None = None  # the scopes the last token's answer named

    def bearer(self) -> str:
        with self._lock:
            now = clock.current().monotonic()
            if self._token is None or now >= self._token.expires_at - REFRESH_MARGIN:
                self._token = self._new(now)
            return self._token.value

    def drop(self, value: str) -> None:
        """Forget `value` (Xero refused it), unless another call already replaced it."""
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _new(self, now: float) -> Token:
        form = {"grant_type": "client_credentials"}
        if self._scopes:
            form["scope"] = self._scopes
        answer = self._fetch(form)
        try:
            value = str(answer["access_token"])
            lifetime = float(answer.get("expires_in", 1800))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError("Xero's token endpoint answered without an access_token") from exc
        if not value:
            raise ProviderError("Xero's token endpoint answered an empty access_token")
        self.fetched += 1
        scope = answer.get("scope")
        self.granted = frozenset(scope.split()) if isinstance(scope, str) and scope.strip() else None
        return Token(value, now + lifetime)
