"""Builders for the billing scenarios, with billing.md 3.3's common inputs as defaults.

Monthly periods on the 1st, June 2024 (30 days), profile price 20.00, DD cost 15.00, a
main line of 12 seats effective 2024-05-01.

`Book` stands in for the PSA: it applies planned Changes the way ConnectWise / Autotask
would, keeps every line's history as invoice-simulation versions, and reads the lines
back as a provider would on a given day, so tests can rerun the plan on a later date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from providers.sandbox.invoicing import LineVersion, invoice_for_period, known_on
from reconciler.billing.daily import LicenceInput
from reconciler.billing.description import SAMPLE, LicenceText
from reconciler.billing.periods import period_containing
from reconciler.model import Agreement, ClientMapping, ProductMapping, PsaLine, Subscription
from reconciler.model.psa import MAIN, UnitSpan
from reconciler.plan.change import (
    CREATE_ADJUSTMENT,
    CREATE_DELTA,
    CREATE_LINE,
    SET_QUANTITY,
    UPDATE_LINE,
    Change,
)
from tests.kit.capabilities import AUTOTASK, CONNECTWISE, capabilities

D = date.fromisoformat
PRICE = Decimal("20.00")
COST = Decimal("15.00")
AGREEMENT_ID = 300
PRODUCT_ID = "M365BP"
CATALOG_ID = 77
TENANT = "T-100"
JUNE = (D("2024-06-01"), D("2024-06-30"))
JULY = (D("2024-07-01"), D("2024-07-31"))


def client(**kw) -> ClientMapping:
    base = {
        "file": "clients/acme.yaml",
        "name": "Acme Ltd",
        "dd_customer_id": TENANT,
        "psa_company_id": 10,
        "agreement_id": AGREEMENT_ID,
    }
    return ClientMapping(**{**base, **kw})


def product(**kw) -> ProductMapping:
    base = {
        "key": "m365-bp",
        "name": "Microsoft 365 Business Premium",
        "stock_codes": ("P1Y:CFQ7TTC0LCHC:0002",),
        "psa_product": PRODUCT_ID,
        "price": PRICE,
    }
    return ProductMapping(**{**base, **kw})


def agreement(**kw) -> Agreement:
    base = {
        "id": AGREEMENT_ID,
        "company_id": 10,
        "name": "Acme licences",
        "status": "Active",
        "start_date": D("2024-01-01"),
    }
    return Agreement(**{**base, **kw})


def sub(quantity: int, status: str = "ACTIVE", *, cost: Decimal = COST, **kw) -> Subscription:
    base = {
        "subscription_id": f"SUB-{quantity}-{status}",
        "tenant_id": TENANT,
        "company_name": "Acme Ltd",
        "stock_code": "P1Y:CFQ7TTC0LCHC:0002:1:",
        "description": "Microsoft 365 Business Premium",
        "quantity": quantity,
        "status": status,
        "billing_frequency": "Monthly",
        "unit_cost": cost,
    }
    return Subscription(**{**base, **kw})


def line(
    line_id: int,
    quantity: int,
    *,
    kind: str = MAIN,
    effective: date | None = date(2024, 5, 1),
    cancelled: date | None = None,
    price: Decimal = PRICE,
    invoice_description: str = "",
    product_id: str = PRODUCT_ID,
) -> PsaLine:
    return PsaLine(
        id=line_id,
        agreement_id=AGREEMENT_ID,
        product_id=product_id,
        kind=kind,
        spans=(UnitSpan(effective, cancelled, quantity),),
        unit_price=price,
        unit_cost=COST,
        invoice_description=invoice_description,
    )


def licence(
    psa_kind: str = CONNECTWISE,
    *,
    style: str = "advance",
    prorate: bool = False,
    subs: tuple[Subscription, ...] = (sub(12),),
    lines: tuple[PsaLine, ...] = (),
    sync_date: date = date(2024, 6, 15),
    **kw,
) -> LicenceInput:
    base = {
        "client": client(),
        "product": product(),
        "agreement_id": AGREEMENT_ID,
        "agreement": agreement(),
        "subscriptions": subs,
        "lines": lines,
        "style": style,
        "prorate": prorate,
        "capabilities": capabilities(psa_kind),
        "profile_price": PRICE,
        "catalog_id": CATALOG_ID,
        "invoice_description": None,
        "sync_date": sync_date,
    }
    if "description_limit" in kw:  # a PSA with a shorter limit
        base["capabilities"] = replace(base["capabilities"], description_limit=kw.pop("description_limit"))
    if isinstance(kw.get("invoice_description"), str):  # a fixed text: a template without variables
        kw["invoice_description"] = LicenceText(kw["invoice_description"], SAMPLE)
    return LicenceInput(**{**base, **kw})


@dataclass
class Book:
    """The PSA's lines for one (agreement, product), with their history.

    ConnectWise: each addition is a line; PATCHes add versions. Autotask: the contract
    service is read back as one line whose unit spans split at every period start and
    every adjustment; for the invoice simulation each adjustment is a line of its own.
    """

    psa_kind: str = CONNECTWISE
    versions: list[LineVersion] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    descriptions: dict[int, str] = field(default_factory=dict)
    service_id: int = 500  # Autotask: the contract service all adjustments belong to
    next_id: int = 9000

    @classmethod
    def with_main(cls, psa_kind: str = CONNECTWISE, quantity: int = 12) -> Book:
        book = cls(psa_kind)
        book.add(1, quantity, effective=D("2024-05-01"), recorded_on=D("2024-04-30"))
        return book

    def add(self, line_id, quantity, *, effective, recorded_on, kind=MAIN, price=PRICE):
        self.versions.append(LineVersion(line_id, quantity, price, effective, None, recorded_on))
        self.kinds[line_id] = kind

    def apply(self, change: Change, on: date) -> None:
        after = change.after
        if change.action in (CREATE_LINE, CREATE_DELTA, CREATE_ADJUSTMENT):
            self.next_id += 1
            price = Decimal(after["unit_price"])
            self.add(
                self.next_id,
                after["quantity"],
                effective=D(after["effective_date"]),
                recorded_on=on,
                kind=change.line_kind,
                price=price,
            )
        elif change.action in (SET_QUANTITY, UPDATE_LINE):
            self._patch(change.line_id, after, on)
        if "invoice_description" in after:
            target = change.line_id or self.next_id
            if self.psa_kind == AUTOTASK:
                target = self.service_id
            self.descriptions[target] = after["invoice_description"]

    def _patch(self, line_id: int, after: dict, on: date) -> None:
        if self.psa_kind == AUTOTASK:  # a service price applies to all of its units
            for v in known_on(self.versions, on):
                price = after.get("unit_price", v.unit_price)
                self._patch_one(v.line_id, {"unit_price": price}, on)
            return
        self._patch_one(line_id, after, on)

    def _patch_one(self, line_id: int, after: dict, on: date) -> None:
        held = [v for v in self.versions if v.line_id == line_id][-1]
        self.versions.append(
            LineVersion(
                line_id,
                after.get("quantity", held.quantity),
                Decimal(after.get("unit_price", held.unit_price)),
                held.effective,
                held.cancelled,
                on,
            )
        )

    def read(self, on: date) -> tuple[PsaLine, ...]:
        known = known_on(self.versions, on)
        if self.psa_kind == AUTOTASK:
            return (self._service(known),) if known else ()
        return tuple(self._addition(v) for v in known)

    def _addition(self, v: LineVersion) -> PsaLine:
        result = line(
            v.line_id,
            v.quantity,
            kind=self.kinds[v.line_id],
            effective=v.effective,
            cancelled=v.cancelled,
            price=v.unit_price,
        )
        return _with_description(result, self.descriptions.get(v.line_id, ""))

    def _service(self, known: tuple[LineVersion, ...]) -> PsaLine:
        first = min(v.effective for v in known)
        cuts = {v.effective for v in known}
        day = period_containing(None, first)[0]
        while day < D("2025-01-01"):  # ContractServiceUnits: one row per period
            cuts.add(day)
            day = period_containing(None, day)[1] + timedelta(days=1)
        cuts = sorted(c for c in cuts if c >= first)
        spans = tuple(
            UnitSpan(start, end - timedelta(days=1) if end else None, _units(known, start))
            for start, end in zip(cuts, [*cuts[1:], None], strict=False)
        )
        last_price = known[-1].unit_price
        # Every adjustment occupies its date, the one that created the service included.
        result = PsaLine(
            self.service_id,
            AGREEMENT_ID,
            PRODUCT_ID,
            MAIN,
            spans,
            last_price,
            COST,
            dated_change_days=frozenset(v.effective for v in known if v.effective),
        )
        return _with_description(result, self.descriptions.get(self.service_id, ""))

    def invoice(self, period, *, style: str, prorate: bool) -> Decimal:
        return invoice_for_period(self.versions, style=style, prorate=prorate, period=period, psa_kind=self.psa_kind)


def _units(known: tuple[LineVersion, ...], day: date) -> int:
    return sum(v.units_on(day) for v in known)


def _with_description(psa_line: PsaLine, text: str) -> PsaLine:
    return replace(psa_line, invoice_description=text)
