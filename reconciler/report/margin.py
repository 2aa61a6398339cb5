"""The margin report (`ncesync report margin`): what each licence earns a month.

Per client and licence: the seats Dicker Data bills, its unit cost per seat per month, the
unit price the PSA bills (the main line's price; the profile price when there is no line
yet), the monthly margin and margin %, with negative margins and margins below
`review.min_margin_percent` flagged. Built from the same reads and the same licence inputs
as the plan, so the report and the plan never disagree about a price or a cost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reconciler.billing.desired import desired_count, unit_cost
from reconciler.model.psa import CHARGE, MAIN, PsaId
from reconciler.money import money_text, round_cents
from reconciler.plan.licences import group
from reconciler.plan.planner import LicenceError, PlanRequest, licence_input
from reconciler.provider import Words

NEGATIVE = "negative"
BELOW = "below threshold"


@dataclass(frozen=True)
class MarginLine:
    client_id: str
    client_name: str
    product_key: str
    product_name: str
    agreement_id: PsaId
    seats: int  # Dicker Data's count: the seats the MSP pays for
    psa_seats: int  # the seats the PSA bills on the sync date
    unit_cost: Decimal  # Dicker Data, per seat per month
    unit_price: Decimal  # the PSA, per seat per month
    billed: bool  # False: no PSA line yet, unit_price is the profile price

    @property
    def margin(self) -> Decimal:
        return round_cents(Decimal(self.seats) * (self.unit_price - self.unit_cost))

    @property
    def margin_percent(self) -> Decimal | None:
        if self.unit_price == 0:
            return None
        return ((self.unit_price - self.unit_cost) * 100 / self.unit_price).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def flag(self, threshold: Decimal) -> str | None:
        if self.unit_price < self.unit_cost:
            return NEGATIVE
        share = self.margin_percent
        return BELOW if share is not None and share < threshold else None


@dataclass(frozen=True)
class MarginReport:
    sync_date: str
    words: Words  # what the PSA calls things
    threshold: Decimal  # margin % below which a licence is flagged
    lines: tuple[MarginLine, ...]
    skipped: tuple[str, ...]  # licences without a price to bill at

    def to_json(self) -> dict[str, Any]:
        revenue = sum((round_cents(ln.seats * ln.unit_price) for ln in self.lines), Decimal("0.00"))
        cost = sum((round_cents(ln.seats * ln.unit_cost) for ln in self.lines), Decimal("0.00"))
        margin = sum((ln.margin for ln in self.lines), Decimal("0.00"))
        share = None if revenue == 0 else (margin * 100 / revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return {
            "sync_date": self.sync_date,
            "words": asdict(self.words),
            "min_margin_percent": str(self.threshold),
            "totals": {
                "seats": sum(ln.seats for ln in self.lines),
                "revenue": str(revenue),
                "cost": str(cost),
                "margin": str(margin),
                "margin_percent": None if share is None else str(share),
                "flagged": sum(1 for ln in self.lines if ln.flag(self.threshold)),
            },
            "licences": [_line_json(ln, self.threshold) for ln in self.lines],
            "skipped": list(self.skipped),
        }


def _line_json(line: MarginLine, threshold: Decimal) -> dict[str, Any]:
    share = line.margin_percent
    return {
        "client_id": line.client_id,
        "client_name": line.client_name,
        "product_key": line.product_key,
        "product_name": line.product_name,
        "agreement_id": line.agreement_id,
        "seats": line.seats,
        "psa_seats": line.psa_seats,
        "unit_cost": money_text(line.unit_cost),
        "unit_price": money_text(line.unit_price),
        "billed": line.billed,
        "margin": str(line.margin),
        "margin_percent": None if share is None else str(share),
        "flag": line.flag(threshold),
    }


def margin_report(request: PlanRequest, *, threshold: Decimal) -> MarginReport:
    """Every licence of the request's clients that Dicker Data or the PSA bills."""
    lines: list[MarginLine] = []
    skipped: list[str] = []
    for client in sorted(request.clients, key=lambda c: (c.name.lower(), c.dd_customer_id)):
        subs = request.inventory.subscriptions_of(client.dd_customer_id)
        grouped = group(client, subs, request.deployment, request.psa)
        for key in sorted(grouped.licences, key=lambda k: (grouped.licences[k].product.key, k)):
            licence = grouped.licences[key]
            try:
                item = licence_input(request, client, licence)
            except LicenceError as error:
                skipped.append(f"{client.name}: {error}")
                continue
            main = next((ln for ln in item.lines if ln.kind == MAIN and ln.active_on(request.sync_date)), None)
            line = MarginLine(
                client_id=client.dd_customer_id,
                client_name=client.name,
                product_key=licence.product.key,
                product_name=licence.product.name,
                agreement_id=licence.agreement_id,
                seats=desired_count(item.subscriptions, count_trials=licence.product.count_trials),
                psa_seats=sum(ln.units_on(request.sync_date) for ln in item.lines if ln.kind != CHARGE),
                unit_cost=unit_cost(item.subscriptions, count_trials=licence.product.count_trials),
                unit_price=main.unit_price if main else item.profile_price,
                billed=main is not None,
            )
            if line.seats or line.psa_seats:
                lines.append(line)
    return MarginReport(
        request.sync_date.isoformat(), request.capabilities.words, threshold, tuple(lines), tuple(skipped)
    )
