"""Monthly sync: one PSA line per Dicker Data invoice line (billing.md section 4). Pure rules.

* Unit price: `round2(UnitPrice / CycleUnitPrice * ProfilePrice)`, rounded to cents before
  it is multiplied by the quantity (TV-M1 145.20; TV-M2 119.15 x 18 = 2144.70).
* Cross-check: when the line carries usage and term dates, the day-based share of a full
  cycle must agree with `UnitPrice / CycleUnitPrice` within one percentage point; a line
  that disagrees is still priced from Dicker Data's own ratio but flagged for review.
* Key: `INVOICE/STOCKCODE/YYYYMMDD-YYYYMMDD/SIGN/HASH` (see `line_key`), carried by every
  written line, so a rerun recognises the invoice lines already copied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from reconciler.billing.periods import add_months
from reconciler.model.inventory import InvoiceLine
from reconciler.model.psa import CHARGE, PsaId, PsaLine
from reconciler.model.specs import ClientMapping, ProductMapping
from reconciler.model.stockcode import StockCode
from reconciler.money import money_text, round_cents
from reconciler.plan.change import CREATE_CHARGE, UPDATE_LINE, Change
from reconciler.provider import Words

TOLERANCE = Decimal("0.01")  # one percentage point of a full cycle
HASH_CHARS = 10
NO_DATES = "nodates"
# Billing frequencies whose invoice line bills the whole term at once (the term is the cycle).
_WHOLE_TERM = frozenset({"Y", "T"})


def unit_sell_price(unit_price: Decimal, cycle_unit_price: Decimal, profile_price: Decimal) -> Decimal:
    """`round2(UnitPrice / CycleUnitPrice * ProfilePrice)`; ValueError when the cycle price is 0."""
    if cycle_unit_price == 0:
        raise ValueError("the cycle unit price is 0, so the share of a full cycle is unknown")
    return round_cents(unit_price / cycle_unit_price * profile_price)


def billable_amount(unit_price: Decimal, quantity: int) -> Decimal:
    """The line's amount: the already rounded unit price times the (signed) quantity."""
    return round_cents(unit_price * quantity)


def price_share(line: InvoiceLine) -> Decimal:
    """`UnitPrice / CycleUnitPrice`: the fraction of a full cycle Dicker Data billed."""
    return line.unit_price / line.cycle_unit_price


def full_cycle(line: InvoiceLine) -> tuple[date, date] | None:
    """The full billing cycle the line's usage belongs to, or None without usage dates.

    Whole-term billing (annual `:Y:` / triennial `:T:` codes) bills the term TermStart..TermEnd.
    Otherwise the cycle is the month that ends on UsageEnd: Dicker Data usage runs to the day
    before the subscription's monthly anniversary, also for mid-cycle additions and refunds.
    """
    if line.usage_start is None or line.usage_end is None:
        return None
    billing = _billing(line.stock_code)
    if billing in _WHOLE_TERM:
        if line.term_start is None or line.term_end is None:
            return None
        return line.term_start, line.term_end
    next_day = line.usage_end + timedelta(days=1)
    return add_months(next_day, -1), line.usage_end


def day_share(line: InvoiceLine) -> Decimal | None:
    """Days used / days in the full cycle, both inclusive; None when the dates are missing.

    TV-M4: usage 01-FEB..18-FEB of the cycle 19-JAN..18-FEB -> 18/31.
    """
    if line.term_start is None or line.term_end is None:
        return None
    cycle = full_cycle(line)
    if cycle is None or line.usage_start is None or line.usage_end is None:
        return None
    used = (line.usage_end - line.usage_start).days + 1
    total = (cycle[1] - cycle[0]).days + 1
    if used <= 0 or total <= 0:
        return None
    return Decimal(used) / Decimal(total)


def share_mismatch(line: InvoiceLine) -> str | None:
    """Why the day-based share disagrees with Dicker Data's price ratio, or None."""
    days = day_share(line)
    if days is None or line.cycle_unit_price == 0:
        return None
    ratio = price_share(line)
    if abs(ratio - days) <= TOLERANCE:
        return None
    assert line.usage_start is not None and line.usage_end is not None
    return (
        f"usage {line.usage_start.isoformat()} to {line.usage_end.isoformat()} is "
        f"{_percent(days)} of a full cycle, but UnitPrice/CycleUnitPrice "
        f"{line.unit_price}/{line.cycle_unit_price} is {_percent(ratio)}"
    )


def sign_of(quantity: int) -> str:
    return "-" if quantity < 0 else "+"


def line_key(line: InvoiceLine, occurrence: int = 1) -> str:
    """The idempotency key of one invoice line: short, deterministic, one line, no `]`.

    `INVOICE/STOCKCODE/USAGESTART-USAGEEND/SIGN/HASH`, where HASH is the first ten hex
    digits of SHA-256 over invoice, subscription, stock code, usage dates and sign, so the
    subscription is part of the identity without its 36 characters. A second line with the
    very same identity in one invoice (never netted) gets `/2`, the third `/3`.
    """
    dates = NO_DATES
    if line.usage_start and line.usage_end:
        dates = f"{line.usage_start:%Y%m%d}-{line.usage_end:%Y%m%d}"
    sign = sign_of(line.quantity)
    identity = "|".join(
        (
            line.invoice_number,
            line.subscription_id,
            line.stock_code.upper(),
            str(line.usage_start or ""),
            str(line.usage_end or ""),
            sign,
        )
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:HASH_CHARS]
    key = "/".join((_clean(line.invoice_number), _clean(line.stock_code.upper()), dates, sign, digest))
    return key if occurrence <= 1 else f"{key}/{occurrence}"


def description(key: str) -> str:
    """The fixed internal description of a copied line; the PSA reads the key back from it."""
    return f"[ncesync:charge {key}]"


def invoice_description(product_name: str, line: InvoiceLine) -> str:
    """The fixed customer-facing text: product, quantity, usage period, invoice."""
    what = "credit" if line.quantity < 0 else "x"
    text = f"{product_name} {what} {abs(line.quantity)}"
    if line.usage_start and line.usage_end:
        text += f", {line.usage_start.isoformat()} to {line.usage_end.isoformat()}"
    return f"{text} (Dicker Data invoice {line.invoice_number})"


@dataclass(frozen=True)
class ChargeInput:
    """One invoice line of a mapped client and product, with what the PSA needs to copy it."""

    client: ClientMapping
    product: ProductMapping
    line: InvoiceLine
    key: str
    agreement_id: PsaId
    words: Words  # what the PSA calls things
    profile_price: Decimal
    catalog_id: PsaId | None
    description_limit: int | None = None


def charge_fields(item: ChargeInput) -> dict[str, Any]:
    """`after` of the change that copies the line (what the provider writes, plus display)."""
    line = item.line
    price = unit_sell_price(line.unit_price, line.cycle_unit_price, item.profile_price)
    text = invoice_description(item.product.name, line)
    after: dict[str, Any] = {
        "quantity": line.quantity,
        "unit_price": money_text(price),
        "unit_cost": money_text(line.unit_price),
        "effective_date": line.invoice_date.isoformat(),
        "catalog_id": item.catalog_id,
        "description": description(item.key),
        "invoice_description": text[: item.description_limit] if item.description_limit else text,
        "billable_amount": money_text(billable_amount(price, line.quantity)),
        "invoice_number": line.invoice_number,
        "subscription_id": line.subscription_id,
        "stock_code": line.stock_code,
    }
    if line.usage_start and line.usage_end:
        after["usage_start"] = line.usage_start.isoformat()
        after["usage_end"] = line.usage_end.isoformat()
    return after


def charge_change(item: ChargeInput) -> Change:
    """The create_charge Change copying one invoice line. ValueError when it cannot be priced."""
    after = charge_fields(item)
    line = item.line
    reason = (
        f"Dicker Data invoice {line.invoice_number} of {line.invoice_date.isoformat()} bills "
        f"{line.quantity} x {line.unit_price} of {line.stock_code} (subscription "
        f"{line.subscription_id}); copy at {after['unit_price']} "
        f"= {line.unit_price}/{line.cycle_unit_price} x profile price {money_text(item.profile_price)}"
    )
    return Change(
        action=CREATE_CHARGE,
        client_id=item.client.dd_customer_id,
        client_name=item.client.name,
        agreement_id=item.agreement_id,
        product_id=item.product.psa_product,
        product_key=item.product.key,
        line_kind=CHARGE,
        reason=reason,
        effective_date=line.invoice_date.isoformat(),
        after=after,
        runrate_change="0.00",
        one_off=after["billable_amount"],
        key=item.key,
    )


def correction(copy: Change, existing: PsaLine, *, costs: bool = True) -> Change | str | None:
    """What to do when a PSA line already carries the copy's key (`costs` False: the PSA's
    lines carry no unit cost, so none is compared).

    None when it matches (the usual rerun). A billed copy: a message, never a write (an
    charge is read-only once billed, and a one-off line already invoiced must not change
    under the invoice). Otherwise an update_line Change with the drifted fields, on the
    unbilled copy.
    """
    before = {
        "quantity": sum(span.units for span in existing.spans),
        "unit_price": money_text(existing.unit_price),
    }
    if costs:
        before["unit_cost"] = money_text(existing.unit_cost)
    drifted = {name: value for name, value in before.items() if str(value) != str(copy.after[name])}
    if not drifted:
        return None
    after = {name: copy.after[name] for name in drifted}
    what = ", ".join(f"{name} {drifted[name]} -> {after[name]}" for name in drifted)
    if existing.billed:
        return (
            f"copied as charge {existing.id}, which differs ({what}) but is already billed; "
            "not corrected: billed charges are read-only, settle the difference by hand"
        )
    old = round_cents(Decimal(str(before["unit_price"])) * int(str(before["quantity"])))
    return Change(
        action=UPDATE_LINE,
        client_id=copy.client_id,
        client_name=copy.client_name,
        agreement_id=copy.agreement_id,
        product_id=copy.product_id,
        product_key=copy.product_key,
        line_kind=CHARGE,
        reason=f"line {existing.id} copies {copy.key} but differs: {what}",
        effective_date=copy.effective_date,
        line_id=existing.id,
        before=dict(drifted),
        after=after,
        runrate_change="0.00",
        one_off=money_text(Decimal(copy.after["billable_amount"]) - old),
        key=copy.key,
    )


def _billing(stock_code: str) -> str | None:
    try:
        return StockCode.parse(stock_code).billing
    except ValueError:
        return None


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.01'))} %"


def _clean(text: str) -> str:
    """A key part without the characters a marker or a path split cannot carry."""
    return "".join("_" if ch in "/]\n\r[ " else ch for ch in text.strip())
