"""When a vendor call is sent again, and how long ncesync waits first.

urllib3's `Retry` decides: which methods and statuses are retried, the attempt counters,
`Retry-After` in seconds or as an HTTP date, the backoff. This module says what a read and
what a write may retry, and adds a time budget per call.

* A read (a GET, an Autotask query, a Dicker Data key request) is retried after a network
  error and after 429, 500, 502, 503 and 504.
* A write is retried only when the vendor certainly did not process it: the connection could
  not be made (nothing was sent), or the answer was 429, or 503 with `Retry-After` (both mean
  "not processed, come back later"). A write whose answer was lost or timed out, or that
  met a 500, is never sent again: it may have happened, and apply re-reads to find out.
* 429 and 503 with `Retry-After` do not use up the attempts: a storm is waited out for as
  long as the call's budget lasts (`budget` seconds, waits and requests included). A single
  `Retry-After` beyond `max_retry_after` is not waited for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import takewhile
from types import TracebackType
from typing import TYPE_CHECKING

from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InvalidHeader,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.response import BaseHTTPResponse, HTTPResponse
from urllib3.util.retry import Retry

from providers.transport import Response

if TYPE_CHECKING:
    from typing_extensions import Self

READ_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_PROCESSED = frozenset({429, 503})  # with Retry-After (429 also without)
UNLIMITED = 1_000_000  # "no count": the budget ends a storm, not a number of tries


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries of a call failing with 5xx or a network error
    backoff: float = 0.5  # seconds before the first retry, doubled for each one after
    max_backoff: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for
    budget: float = 600.0  # seconds one call may take in all, waits included

    def retry(self, *, write: bool) -> VendorRetry:
        """The urllib3 Retry of a first attempt."""
        tries = max(0, self.attempts - 1)
        return VendorRetry(
            total=UNLIMITED,
            connect=tries,
            read=0 if write else tries,  # a write that was sent is never sent again
            status=tries,
            other=0,
            redirect=0,
            allowed_methods=None,  # every method: what decides is the status and the kind
            status_forcelist=frozenset({429}) if write else READ_STATUSES,
            backoff_factor=self.backoff,
            backoff_max=self.max_backoff,
            retry_after_max=10**9,  # our own limit applies (see Attempts.after_response)
            respect_retry_after_header=True,
            raise_on_status=False,
        )


class VendorRetry(Retry):
    """urllib3's Retry with two house rules: "come back later" answers do not count as
    failed attempts, and the first retry already waits `backoff_factor` seconds."""

    RETRY_AFTER_STATUS_CODES = NOT_PROCESSED

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if response is not None and is_not_processed(response.status, response.headers):
            return new.new(status=self.status, total=self.total)
        return new

    def get_backoff_time(self) -> float:
        failures = len(list(takewhile(lambda h: h.redirect_location is None, reversed(self.history))))
        if failures == 0:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * 2 ** (failures - 1)))


def is_not_processed(status: int, headers: Mapping[str, str]) -> bool:
    return status == 429 or (status == 503 and "Retry-After" in headers)


class Attempts:
    """The retry state of one call: after each failure, whether and how long to wait.

    `spent` counts the waits asked for and the time the attempts took, so the budget holds
    whether the clock's sleep is real or a test's fake.
    """

    def __init__(self, policy: RetryPolicy, *, write: bool, method: str, label: str):
        self.policy = policy
        self.write = write
        self.method = method
        self.label = label  # no query string: urllib3 logs it
        self._retry: VendorRetry | None = None  # made at the first failure: most calls have none
        self.tries = 1
        self.spent = 0.0
        self.gave_up = ""  # why the last failure was not retried, for the error message

    @property
    def retry(self) -> VendorRetry:
        if self._retry is None:
            self._retry = self.policy.retry(write=self.write)
        return self._retry

    @retry.setter
    def retry(self, value: VendorRetry) -> None:
        self._retry = value

    def took(self, seconds: float) -> None:
        self.spent += seconds

    def after_error(self, error: HTTPError) -> float | None:
        """Seconds to wait before sending again, or None: raise the error (a Transport's,
        classified as providers/transport.py says)."""
        if self.write and not never_sent(error):
            return None  # it was sent: it may have been processed
        if not isinstance(error, (ConnectTimeoutError, ReadTimeoutError, ProtocolError)):
            # A broken TLS session or proxy: Retry would count it as "other" and give up at
            # once; for a read it is a network error like any other.
            error = ProtocolError(str(error))
        return self._next(error=error)

    def after_response(self, response: Response) -> float | None:
        """Seconds to wait before sending again, or None: the answer stands."""
        status, headers = response.status_code, response.headers
        if status < 400:  # an answer: Retry would say so too, after being built for it
            return None
        if not self.retry.is_retry(self.method, status, "Retry-After" in headers):
            return None
        # urllib3's Retry reads a urllib3 response: one made of the answer's status and
        # headers (the body stays unread; urllib3 already accepted these headers once).
        answer = HTTPResponse(status=status, headers=headers, preload_content=False, decode_content=False)
        try:
            asked = self.retry.get_retry_after(answer)
        except InvalidHeader:
            asked = None
        if asked is not None and asked > self.policy.max_retry_after:
            self.gave_up = (
                f"the vendor asked to wait {asked:.0f} s, more than the "
                f"{self.policy.max_retry_after:.0f} s ncesync waits; try again later"
            )
            return None
        return self._next(response=answer, asked=asked)

    def _next(
        self, *, error: Exception | None = None, response: BaseHTTPResponse | None = None, asked: float | None = None
    ) -> float | None:
        try:
            self.retry = self.retry.increment(self.method, self.label, response=response, error=error)
        except MaxRetryError:
            self.gave_up = f"gave up after {self.tries} tries"
            return None
        # "Retry-After: 0" (or a date gone by) in a storm would have us call again at once,
        # over and over: then the backoff applies, as without the header.
        wait = asked if asked else self.retry.get_backoff_time()
        if self.spent + wait > self.policy.budget:
            self.gave_up = (
                f"gave up after {self.tries} tries and {self.spent:.0f} s: waiting "
                f"{wait:.0f} s more would pass the retry budget of {self.policy.budget:.0f} s"
            )
            return None
        self.tries += 1
        self.spent += wait
        return wait


def never_sent(exc: Exception) -> bool:
    """True when the request never reached the vendor (no connection could be made)."""
    return isinstance(exc, ConnectTimeoutError)
