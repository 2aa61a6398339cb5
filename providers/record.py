"""Strict reading of one vendor JSON record: a missing or malformed field is an error.

A PSA or source record that lacks its quantity, product or status must never be read as
zero seats, "no product" or "Active": that is how a damaged answer turns into wrong
invoices. Every vendor mapping reads the fields that decide money through this class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from reconciler.errors import ProviderError
from reconciler.model.psa import PsaId

T = TypeVar("T")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class VendorRecord:
    """One JSON object plus where it came from, for messages.

    `where` may be a function that words it: a read parses tens of thousands of records and
    words the place of almost none. `error` is the exception class raised (ProviderError
    for a PSA, SourceError for the source of truth).
    """

    def __init__(self, data: Any, where: str | Callable[[], str], *, error: type[ProviderError] = ProviderError):
        self._where = where
        self.data = data
        self.error = error
        if not isinstance(data, Mapping):
            raise error(f"{self.where}: expected a JSON object, got {type(data).__name__}")

    @property
    def where(self) -> str:
        return self._where if isinstance(self._where, str) else self._where()

    def required(self, name: str, parse: Callable[[Any], T]) -> T:
        value = self.data.get(name)
        if is_blank(value):
            raise self.error(f"{self.where}: field {name} is missing; refusing to guess it")
        return self._parse(name, value, parse)

    def optional(self, name: str, parse: Callable[[Any], T]) -> T | None:
        value = self.data.get(name)
        if is_blank(value):
            return None
        return self._parse(name, value, parse)

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name)
        if is_blank(value):
            if default is not None:
                return default
            raise self.error(f"{self.where}: field {name} is missing; refusing to guess it")
        return str(value).strip()

    def nested(self, name: str) -> VendorRecord:
        """A required sub-object (a ConnectWise reference such as `product` or `company`)."""
        value = self.data.get(name)
        if value is None:
            raise self.error(f"{self.where}: field {name} is missing; refusing to guess it")
        return VendorRecord(value, lambda: f"{self.where}: {name}", error=self.error)

    def _parse(self, name: str, value: Any, parse: Callable[[Any], T]) -> T:
        try:
            return parse(value)
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise self.error(f"{self.where}: field {name}: {exc or 'malformed value'} ({value!r})") from None


def whole(value: Any) -> int:
    """A seat count: an integer, or a number with no fraction (CW sends 15.0)."""
    if type(value) is int:  # the common case, and exact as it is
        return value
    if isinstance(value, bool):
        raise ValueError("a count, not true/false")
    amount = _finite(value)
    if amount != amount.to_integral_value():
        raise ValueError("a seat count must be a whole number")
    return int(amount)


# No price, cost or line of a licence comes near this; a larger figure is a damaged record
# (1e26 once reached the money arithmetic, whose 28 digits it overflows), refused where read.
MAX_AMOUNT = Decimal(10) ** 12


def decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("an amount, not true/false")
    amount = _finite(value)
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"{value!r} is not a plausible amount (at most 12 digits before the point)")
    return amount


def _finite(value: Any) -> Decimal:
    """A number through its text; NaN and infinities are not amounts or counts."""
    if isinstance(value, (dict, list)):
        raise TypeError("expected a number")
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError("expected a finite number")
    return amount


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def string(value: Any) -> str:
    """Free text (a description): a JSON string, nothing else."""
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def record_id(record: Any, name: str = "id") -> int | None:
    """A record's id (or another id field) when it can be read, else None: used to tell which
    licences an unreadable record affects before reading the rest of it."""
    if not isinstance(record, Mapping):
        return None
    try:
        return whole(record.get(name))
    except (ValueError, TypeError, InvalidOperation):
        return None


def numbered(ids: Iterable[PsaId]) -> frozenset[int]:
    """The ids a PSA that numbers its records can hold. A text id (a UUID, as another PSA
    names its records) is none of them: left out here, it is reported as not found."""
    return frozenset(i for i in ids if isinstance(i, int) and not isinstance(i, bool))


def number(value: PsaId) -> int:
    """An id the PSA numbers; ValueError for a text id, which it cannot hold."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a record number")
    return value
