"""Xero's identity side and call limits, emulated: custom-connection tokens, `/connections`,
and the per-organisation limits with the headers Xero answers them in.

* `POST /identity/connect/token` (client credentials, the demo client id and secret in HTTP
  Basic) answers an access token good for `lifetime` seconds (Xero: 30 minutes); an unknown
  client is a 400 `invalid_client`.
* Every accounting call needs a live token (401 otherwise) and the demo organisation's
  `Xero-Tenant-Id` (403 otherwise), and counts against 60 calls a minute and 5,000 a day of
  the sandbox's date; past either, a 429 with `Retry-After` and `X-Rate-Limit-Problem`.
  Each answer says what is left (`X-DayLimit-Remaining`, `X-MinLimit-Remaining`). Tests
  preset the day's count (`preset_day`) and shorten the token lifetime.

Time is the shared clock's (`reconciler.clock`), so a test's virtual clock moves tokens
and the minute window on as the client waits.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from collections import deque
from datetime import date
from typing import NoReturn
from urllib.parse import parse_qs

from providers.sandbox.exchange import Rejection, Reply, Request
from providers.sandbox.secret_compare import same_secret
from providers.sandbox.xero_records import problem
from providers.sandbox_credentials import SANDBOX_CREDENTIALS
from reconciler import clock

VENDOR = "xero"
PER_MINUTE = 60
PER_DAY = 5000
APP_PER_MINUTE = 10_000
WINDOW = 60.0


class XeroIdentity:
    def __init__(self, *, lifetime: float = 1800.0):
        self.lifetime = lifetime
        self._tokens: dict[str, float] = {}  # token -> expiry on the shared clock
        self._lock = threading.Lock()
        self.issued = 0

    def token(self, request: Request) -> Reply:
        creds = SANDBOX_CREDENTIALS[VENDOR]
        scheme, _, encoded = (request.header("authorization") or "").partition(" ")
        try:
            given = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            given = ""
        expected = f"{creds['client_id']}:{creds['client_secret']}"
        if scheme.lower() != "basic" or not same_secret(given, expected):
            return Reply(400, {"error": "invalid_client"})
        form = parse_qs(request.body.decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return Reply(400, {"error": "unsupported_grant_type"})
        value = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[value] = clock.current().monotonic() + self.lifetime
            self.issued += 1
        return Reply(
            200,
            {
                "access_token": value,
                "expires_in": int(self.lifetime),
                "token_type": "Bearer",
                "scope": "accounting.transactions accounting.contacts accounting.settings",
            },
        )

    def check(self, request: Request, *, tenant: bool) -> None:
        """401 without a live token; 403 (`tenant`) without the organisation's id."""
        scheme, _, value = (request.header("authorization") or "").partition(" ")
        with self._lock:
            expiry = self._tokens.get(value) if scheme.lower() == "bearer" else None
        if expiry is None:
            raise Rejection(problem(401, "Unauthorized", "AuthenticationUnsuccessful"))
        if clock.current().monotonic() >= expiry:
            raise Rejection(problem(401, "Unauthorized", "TokenExpired: token expired"))
        wanted = SANDBOX_CREDENTIALS[VENDOR]["tenant_id"]
        if tenant and (request.header("xero-tenant-id") or "").lower() != wanted:
            raise Rejection(problem(403, "Forbidden", "AuthenticationUnsuccessful"))

    def expire_all(self) -> None:
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))


class XeroLimits:
    """The organisation's calls: per day of the sandbox's date, and per rolling minute."""

    def __init__(self, *, per_minute: int = PER_MINUTE, per_day: int = PER_DAY):
        self.per_minute = per_minute
        self.per_day = per_day
        self._days: dict[date, int] = {}
        self._minute: deque[float] = deque()
        self._lock = threading.Lock()
        self.refused = 0

    def preset_day(self, today: date, used: int) -> None:
        with self._lock:
            self._days[today] = used

    def admit(self, today: date) -> dict[str, str]:
        """Count one call; its answer's headers, or a 429 Rejection past a limit."""
        with self._lock:
            now = clock.current().monotonic()
            while self._minute and now - self._minute[0] >= WINDOW:
                self._minute.popleft()
            used = self._days.get(today, 0)
            if used >= self.per_day:
                return self._refuse("day", 86_400, used)
            if len(self._minute) >= self.per_minute:
                return self._refuse("minute", max(1, int(WINDOW - (now - self._minute[0])) + 1), used)
            self._minute.append(now)
            self._days[today] = used + 1
            return self._headers(used + 1)

    def _refuse(self, what: str, wait: int, used: int) -> NoReturn:
        self.refused += 1
        reply = problem(429, "Too Many Requests", f"the organisation's {what} limit was reached")
        headers = {**self._headers(used), "Retry-After": str(wait), "X-Rate-Limit-Problem": what}
        raise Rejection(Reply(reply.status, reply.body, headers))

    def _headers(self, used: int) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(self.per_day - used, 0)),
            "X-MinLimit-Remaining": str(max(self.per_minute - len(self._minute), 0)),
            "X-AppMinLimit-Remaining": str(APP_PER_MINUTE - len(self._minute)),
        }
