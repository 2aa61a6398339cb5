"""RequestForecast: what applying a plan costs in requests to the PSA.

Apply plans again from a fresh read before it writes, so it makes the reads the plan made,
then one write per change, plus the look-ups some writes need (a record created by a write
whose id the PSA does not return: at most one each, fewer when several are looked up
together). Some PSAs count every request of every integration against one hourly threshold
shared by the whole database; for those the plan says what share of it the apply takes, and
a deployment may cap that share (`psa.max_request_share`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class RequestForecast:
    reads: int
    writes: int
    lookups: int = 0  # at most
    hourly_limit: int | None = None  # the PSA's requests an hour for everyone; None: none known
    max_share: Decimal | None = None  # percent of `hourly_limit` an apply may take; None: no cap

    @property
    def total(self) -> int:
        return self.reads + self.writes + self.lookups

    @property
    def share(self) -> Decimal | None:
        """Percent of the hourly limit, to one decimal."""
        if not self.hourly_limit:
            return None
        return (Decimal(self.total) * 100 / Decimal(self.hourly_limit)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def over_share(self) -> bool:
        share = self.share
        return share is not None and self.max_share is not None and share > self.max_share

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "reads": self.reads,
            "writes": self.writes,
            "lookups": self.lookups,
            "total": self.total,
        }
        if self.hourly_limit:
            data["hourly_limit"] = self.hourly_limit
            data["share_percent"] = str(self.share)
        if self.max_share is not None:
            data["max_share_percent"] = str(self.max_share)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestForecast:
        cap = data.get("max_share_percent")
        return cls(
            reads=int(data["reads"]),
            writes=int(data["writes"]),
            lookups=int(data.get("lookups", 0)),
            hourly_limit=data.get("hourly_limit"),
            max_share=None if cap is None else Decimal(str(cap)),
        )
