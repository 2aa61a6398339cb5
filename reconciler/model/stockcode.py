"""Dicker Data stock codes: `TERM:PRODUCT:SKU[:BILLING:]`, or `PRODUCT:SKU` for Azure usage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import final

_TERM = re.compile(r"^P\d+[MY]$")
_PRODUCT = re.compile(r"^[A-Z0-9]{6,}$")
_SKU = re.compile(r"^[0-9A-Z]{4}$")

# Billing-frequency codes seen in the trailing segment: 1 = monthly, Y = annual up front,
# T = triennial up front.
BILLING_NAMES = {"1": "monthly", "M": "monthly", "Y": "annual", "T": "triennial"}


@final  # parsed codes are cached as StockCode itself (see `_parse`)
@dataclass(frozen=True, order=True)
class StockCode:
    raw: str
    term: str | None  # "P1M", "P1Y", "P3Y"; None for Azure usage codes
    product: str  # Microsoft product id, e.g. CFQ7TTC0LCHC
    sku: str  # e.g. 0002
    billing: str | None  # "1", "Y", "T" or None when the code does not say

    @classmethod
    def parse(cls, text: str) -> StockCode:
        """Parse strictly; raise ValueError naming what is wrong. A plan parses the same few
        codes tens of thousands of times (every subscription against every mapping), so a
        code is parsed once; a StockCode is immutable, so the same one serves every caller."""
        return _parse(text)

    @classmethod
    def _parsed(cls, text: str) -> StockCode:
        raw = text.strip()
        parts = raw.upper().split(":")
        if parts and parts[-1] == "":
            parts = parts[:-1]  # the trailing colon of `...:1:`
        term = None
        if parts and _TERM.match(parts[0]):
            term, parts = parts[0], parts[1:]
        if len(parts) not in (2, 3):
            raise ValueError(f"stock code {text!r} is not TERM:PRODUCT:SKU[:BILLING:]")
        product, sku = parts[0], parts[1]
        billing = parts[2] if len(parts) == 3 else None
        if not _PRODUCT.match(product):
            raise ValueError(f"stock code {text!r}: {product!r} is not a product id")
        if not _SKU.match(sku):
            raise ValueError(f"stock code {text!r}: {sku!r} is not a 4-character SKU id")
        if billing is not None and billing not in BILLING_NAMES:
            raise ValueError(f"stock code {text!r}: unknown billing frequency {billing!r}")
        return cls(raw=raw.upper(), term=term, product=product, sku=sku, billing=billing)

    @property
    def prefix(self) -> str:
        """`TERM:PRODUCT:SKU` (or `PRODUCT:SKU`): what a product mapping may name."""
        return _prefix(self.term, self.product, self.sku)

    @property
    def term_months(self) -> int | None:
        if self.term is None:
            return None
        n = int(self.term[1:-1])
        return n * 12 if self.term.endswith("Y") else n

    @property
    def billing_name(self) -> str:
        if self.billing is None:
            return "monthly" if self.term in (None, "P1M") else "unknown"
        return BILLING_NAMES[self.billing]

    def matches(self, pattern: str) -> bool:
        """True when `pattern` is this exact code or its TERM:PRODUCT:SKU prefix."""
        p = _pattern(pattern)
        return p == self.raw.rstrip(":") or p == self.prefix


@lru_cache(maxsize=4096)
def _parse(text: str) -> StockCode:
    return StockCode._parsed(text)


@lru_cache(maxsize=4096)
def _prefix(term: str | None, product: str, sku: str) -> str:
    return ":".join(p for p in (term, product, sku) if p)


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> str:
    return pattern.strip().upper().rstrip(":")
