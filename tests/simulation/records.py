"""What the sandbox's PSA holds for a licence, read straight from its world records (not
through the providers under test), and what those records invoice.

Autotask bills a contract service's unit rows day-weighted, each row rounded to cents.
ConnectWise bills its additions: without proration the quantity of the lines in force on
the period's first day (advance) or last day (arrears) as known when the invoice is made;
with proration each line day-weighted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.simulation.rules import ONE_DAY, weighted


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None  # the world keeps local dates


class Records:
    def __init__(self, world: dict[str, Any], psa: str, agreement_id: int, product_id: str):
        self.psa = psa
        if psa == "autotask":
            at = world["autotask"]
            service = int(product_id)
            self.rows = [
                (_day(r["startDate"]), _day(r["endDate"]), int(r["units"]), Decimal(str(r["price"])))
                for r in at["contractServiceUnits"] if r["contractID"] == agreement_id and r["serviceID"] == service
            ]
            self.adjustment_days = [_day(a["effectiveDate"]) for a in at["contractServiceAdjustments"]
                                    if a["contractID"] == agreement_id and a["serviceID"] == service]
        else:
            self.additions = [a for a in world["connectwise"]["additions"]
                              if a["agreementId"] == agreement_id and a["product"]["identifier"] == product_id]

    def count_on(self, day: date, *, known_on: date | None = None) -> int:
        if self.psa == "autotask":
            return sum(units for start, end, units, _ in self.rows if start <= day <= end)
        return sum(self._quantity(a, known_on) for a in self.additions if self._active(a, day))

    def invoice(self, period: tuple[date, date], *, style: str, prorate: bool) -> Decimal:
        if self.psa == "autotask":
            return sum((weighted(units, price, (min(end, period[1]) - max(start, period[0])).days + 1, period)
                        for start, end, units, price in self.rows if start <= period[1] and end >= period[0]),
                       Decimal("0.00"))
        if not prorate:
            # advance: invoiced on the first day before that night's sync; arrears: after the last day's
            day, known = (period[0], period[0] - ONE_DAY) if style == "advance" else (period[1], period[1])
            return sum((self._quantity(a, known) * Decimal(str(a["unitPrice"]))
                        for a in self.additions if self._active(a, day)), Decimal("0.00"))
        total = Decimal("0.00")
        for a in self.additions:
            start = max(_day(a["effectiveDate"]) or period[0], period[0])
            end = min(_day(a.get("cancelledDate")) or period[1], period[1])
            if start <= end:
                total += weighted(self._quantity(a, None), Decimal(str(a["unitPrice"])), (end - start).days + 1, period)
        return total

    @staticmethod
    def _active(addition: dict[str, Any], day: date) -> bool:
        start, end = _day(addition["effectiveDate"]), _day(addition.get("cancelledDate"))
        return (start is None or start <= day) and (end is None or day <= end)

    @staticmethod
    def _quantity(addition: dict[str, Any], known_on: date | None) -> int:
        """The quantity as it stood at the end of `known_on` (None: now)."""
        history = [h for h in addition.get("_history") or [] if known_on is None or date.fromisoformat(h["recordedOn"]) <= known_on]
        if known_on is None or not addition.get("_history"):
            return int(addition["quantity"])
        return int(history[-1]["quantity"]) if history else 0
