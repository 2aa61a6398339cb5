"""How a Dicker Data call carries its credentials: the two conventions seen in the wild.

The API is not publicly documented and the clients written against it disagree, so the
convention is a setting (`key_transport`):

* `body` (default): POST bodies carry `"RequestHeader": {"TransactionID", "Token",
  "AccessKey"}`; GET calls carry the same three as dotted query parameters
  `request.requestHeader.transactionID/.token/.accessKey`.
* `header`: every call sends `Authorization: Bearer <AccessKey>`, `DD-TransactionID` and
  `DD-ApiVersion: 1.0`; bodies and query strings carry no credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ConfigError

BODY = "body"
HEADER = "header"
TRANSPORTS = (BODY, HEADER)
API_VERSION = "1.0"
QUERY_PREFIX = "request.requestHeader."


@dataclass(frozen=True)
class Credentials:
    """What one call needs to authenticate. Never logged: the repr hides the secrets."""

    transaction_id: str
    token: str = field(repr=False)
    access_key: str = field(repr=False)


@dataclass(frozen=True)
class KeyTransport:
    mode: str = BODY

    @classmethod
    def named(cls, mode: Any) -> KeyTransport:
        name = str(mode or BODY).strip().lower()
        if name not in TRANSPORTS:
            raise ConfigError(f"source.key_transport is {mode!r}; expected one of: {', '.join(TRANSPORTS)}")
        return cls(name)

    def post(self, body: dict[str, Any], credentials: Credentials) -> dict[str, Any]:
        """HttpClient keyword arguments for a POST of `body`."""
        if self.mode == HEADER:
            return {"json": body, "headers": self._headers(credentials)}
        header = {
            "TransactionID": credentials.transaction_id,
            "Token": credentials.token,
            "AccessKey": credentials.access_key,
        }
        return {"json": {**body, "RequestHeader": header}}

    def get(self, params: dict[str, str], credentials: Credentials) -> dict[str, Any]:
        """HttpClient keyword arguments for a GET with query `params`."""
        if self.mode == HEADER:
            return {"params": params, "headers": self._headers(credentials)}
        auth = {
            f"{QUERY_PREFIX}transactionID": credentials.transaction_id,
            f"{QUERY_PREFIX}token": credentials.token,
            f"{QUERY_PREFIX}accessKey": credentials.access_key,
        }
        return {"params": {**params, **auth}}

    @staticmethod
    def _headers(credentials: Credentials) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {credentials.access_key}",
            "DD-TransactionID": credentials.transaction_id,
            "DD-ApiVersion": API_VERSION,
        }
