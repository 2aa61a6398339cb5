"""Monthly sync planning: specs + Dicker Data invoices + PSA state -> Plan. Pure, no I/O.

The monthly counterpart of planner.py (billing.md section 4). Every invoice line of a mapped
client and mapped stock code becomes one `create_charge` change unless a PSA line already
carries its key. A client whose agreements cannot take the copy (missing, inactive, outside
their dates, or a prorating agreement of a PSA that would split a one-off line) gets errors and no writes at all, so
an invoice is never copied by halves. Totals per invoice and per client go to `plan.invoices`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from reconciler.billing.monthly import ChargeInput, charge_change, correction, line_key, share_mismatch
from reconciler.model import ClientMapping, InvoiceLine, ProductMapping
from reconciler.model.psa import CHARGE, PsaLine
from reconciler.plan.change import Change
from reconciler.plan.fingerprint import client_content
from reconciler.plan.invoice_totals import InvoiceTotals
from reconciler.plan.plan import ClientDigest, ClientSummary, Issue, Plan, PlanDraft, Unmapped, digest
from reconciler.plan.planner import PlanRequest


@dataclass(frozen=True)
class InvoicePlanRequest(PlanRequest):
    """A plan request plus what only monthly sync needs."""

    invoice_numbers: tuple[str, ...] = ()  # --invoice; empty = every invoice read
    charge_lookback_days: int | None = None  # how far back the PSA read sees copied lines


@dataclass(frozen=True)
class KeyedLine:
    key: str
    line: InvoiceLine


Mapped = tuple[KeyedLine, ProductMapping]  # an invoice line and the product mapping it bills as


def build_invoice_plan(request: InvoicePlanRequest) -> Plan:
    settings = request.deployment.settings
    plan = PlanDraft(
        sync_type=settings.sync_type,
        sync_date=request.sync_date.isoformat(),
        psa=settings.psa.name,
        words=request.capabilities.words,
    )
    totals = InvoiceTotals()
    lines = _invoice_lines(request, plan, totals)
    charges = {ln.key: ln for ln in request.psa.lines if ln.kind == CHARGE and ln.key}
    for client in sorted(request.clients, key=lambda c: (c.name.lower(), c.dd_customer_id)):
        mine = [k for k in lines if k.line.tenant_id == client.dd_customer_id]
        _plan_client(request, client, mine, charges, plan, totals)
    plan.unmapped = _unmapped_customers(request, lines) + plan.unmapped
    plan.changes.sort(key=lambda c: (c.client_name.lower(), c.client_id, c.effective_date, c.key or ""))
    numbers = sorted(totals.numbers())
    fingerprint = digest(
        {"invoices": numbers, "clients": {k: asdict(v.digest) for k, v in sorted(plan.clients.items())}}
    )
    scope = {
        "clients": sorted(c.dd_customer_id for c in request.clients),
        "full_run": request.full_run,
        "invoices": sorted(request.invoice_numbers),
    }
    return plan.finish(fingerprint=fingerprint, scope=scope, invoices=totals.to_json())


def _invoice_lines(request: InvoicePlanRequest, plan: PlanDraft, totals: InvoiceTotals) -> list[KeyedLine]:
    """Every line of the invoices in scope, keyed, oldest invoice first."""
    wanted = set(request.invoice_numbers)
    invoices = [i for i in request.inventory.invoices if not wanted or i.number in wanted]
    for number in sorted(wanted - {i.number for i in invoices}):
        plan.errors.append(Issue(f"invoice {number} was not found in Dicker Data"))
    result: list[KeyedLine] = []
    for invoice in sorted(invoices, key=lambda i: (i.date, i.number)):
        problem = _too_old(request, invoice.number, invoice.date)
        if problem:
            plan.errors.append(Issue(problem))
            continue
        totals.invoice(invoice.number, invoice.date)
        seen: dict[str, int] = {}
        for line in invoice.lines:
            base = line_key(line)
            seen[base] = seen.get(base, 0) + 1
            result.append(KeyedLine(line_key(line, seen[base]), line))
    return result


def _too_old(request: InvoicePlanRequest, number: str, day: date) -> str | None:
    """An invoice older than the PSA read's look-back: copies of it would not be seen."""
    days = request.charge_lookback_days
    if days is None or day >= request.sync_date - timedelta(days=days):
        return None
    return (
        f"invoice {number} is dated {day.isoformat()}, more than {days} days before the sync date "
        f"{request.sync_date.isoformat()}: lines already copied would not be read back, so it is "
        "not planned; run with --date near the invoice date or raise psa.charge_lookback_days"
    )


def _plan_client(
    request: InvoicePlanRequest,
    client: ClientMapping,
    lines: list[KeyedLine],
    charges: dict[str, PsaLine],
    plan: PlanDraft,
    totals: InvoiceTotals,
) -> None:
    mapped = _mapped(request, client, lines, plan)
    problems = _agreement_problems(request, client, mapped, lines)
    plan.errors.extend(Issue(p, client.dd_customer_id, client.name) for p in problems)
    for keyed, product in mapped:
        existing = charges.get(keyed.key)
        try:
            change = charge_change(_charge_input(request, client, keyed, product))
        except ValueError as exc:
            plan.errors.append(
                Issue(f"{_label(keyed)}: {exc}; not copied", client.dd_customer_id, client.name, product.key)
            )
            continue
        totals.add(client, keyed.line, change, copied=existing is not None, held=bool(problems))
        if problems:
            continue
        _decide(request, client, keyed, change, existing, plan)
    plan.warnings.extend(Issue(w, client.dd_customer_id, client.name) for w in _orphans(client, request, lines, totals))
    plan.clients[client.dd_customer_id] = _client_info(request, client, lines, mapped)


def _decide(
    request: InvoicePlanRequest,
    client: ClientMapping,
    keyed: KeyedLine,
    change: Change,
    existing: PsaLine | None,
    plan: PlanDraft,
) -> None:
    """A new line is copied; a copied line that no longer matches is corrected or reported."""
    if existing is None:
        if change.value("catalog_id") is None:
            plan.errors.append(
                Issue(
                    f"{_label(keyed)}: product {change.product_id} has no PSA id; not copied",
                    client.dd_customer_id,
                    client.name,
                    change.product_key,
                )
            )
            return
        plan.changes.append(change)
        mismatch = share_mismatch(keyed.line)
        if mismatch:
            plan.warnings.append(
                Issue(
                    f"{_label(keyed)}: review the price: {mismatch}; copied at Dicker Data's ratio",
                    client.dd_customer_id,
                    client.name,
                    change.product_key,
                )
            )
        return
    fixed = correction(change, existing, costs=request.capabilities.line_costs)
    if isinstance(fixed, str):
        plan.warnings.append(Issue(f"{_label(keyed)}: {fixed}", client.dd_customer_id, client.name, change.product_key))
    elif fixed is not None:
        plan.changes.append(fixed)


def _mapped(
    request: InvoicePlanRequest, client: ClientMapping, lines: list[KeyedLine], plan: PlanDraft
) -> list[Mapped]:
    """(line, product) for mapped stock codes; unmapped ones go to plan.unmapped per code."""
    result: list[Mapped] = []
    unmapped: dict[str, int] = {}
    for keyed in lines:
        code = keyed.line.stock_code
        if client.excludes(code) or keyed.line.quantity == 0:
            continue
        product = request.deployment.product_for(code)
        if product is None:
            unmapped[code] = unmapped.get(code, 0) + keyed.line.quantity
            continue
        result.append((keyed, product))
    for code, quantity in sorted(unmapped.items()):
        plan.unmapped.append(Unmapped("stock_code", client.dd_customer_id, client.name, quantity, code))
    return result


def _agreement_problems(
    request: InvoicePlanRequest, client: ClientMapping, mapped: list[Mapped], lines: list[KeyedLine]
) -> list[str]:
    words = request.capabilities.words
    where_of = words.agreement
    problems = []
    for agreement_id, product in sorted({(client.agreement_for(p.key), p.psa_product) for _, p in mapped}):
        for record in request.psa.unreadable_for(agreement_id, product):
            problems.append(
                f"client {client.name} ({client.dd_customer_id}): {record.message}; "
                "no invoice line copied until the record is fixed in the PSA"
            )
    for agreement_id in sorted({client.agreement_for(product.key) for _, product in mapped}):
        agreement = request.psa.agreements.get(agreement_id)
        label = f"client {client.name} ({client.dd_customer_id}), {where_of} {agreement_id}"
        if agreement is None:
            problems.append(f"{label} not found in {words.psa}; no invoice line copied")
        elif not agreement.is_active:
            problems.append(f"{label} is {agreement.status}; no invoice line copied")
        elif request.capabilities.prorate_splits_one_off_lines and agreement.prorate:
            problems.append(
                f"{label} has Prorate on: {words.psa} would bill each one-day invoice copy as a "
                "fraction of a day; turn Prorate off on the agreement (or map another agreement); "
                "no invoice line copied"
            )
        else:
            days = sorted({k.line.invoice_date for k, p in mapped if client.agreement_for(p.key) == agreement_id})
            outside = [d.isoformat() for d in days if not agreement.covers(d)]
            if outside:
                problems.append(
                    f"{label} does not cover the invoice date(s) {', '.join(outside)}; no invoice line copied"
                )
    return list(dict.fromkeys(problems))  # one unreadable record may block several products


def _charge_input(
    request: InvoicePlanRequest, client: ClientMapping, keyed: KeyedLine, product: ProductMapping
) -> ChargeInput:
    catalog = request.psa.catalog.get(product.psa_product)
    price = product.price if product.price is not None else (catalog.price if catalog else None)
    if price is None:
        raise ValueError(f"product {product.key} has no price and no {request.capabilities.words.psa} catalogue price")
    return ChargeInput(
        client=client,
        product=product,
        line=keyed.line,
        key=keyed.key,
        agreement_id=client.agreement_for(product.key),
        words=request.capabilities.words,
        profile_price=price,
        catalog_id=catalog.id if catalog else None,
        description_limit=request.capabilities.description_limit,
    )


def _orphans(
    client: ClientMapping, request: InvoicePlanRequest, lines: list[KeyedLine], totals: InvoiceTotals
) -> list[str]:
    """Copied lines whose invoice is planned but which that invoice no longer lists."""
    keys = {k.key for k in lines}
    prefixes = {n.replace("/", "_") + "/" for n in totals.numbers()}
    agreements = {client.agreement_id} | {o.agreement_id for o in client.licences if o.agreement_id}
    found = []
    for ln in request.psa.lines:
        if (
            ln.kind == CHARGE
            and ln.key
            and ln.agreement_id in agreements
            and ln.key not in keys
            and any(ln.key.startswith(p) for p in prefixes)
        ):
            state = "billed, so it stays" if ln.billed else "remove it by hand if the invoice really changed"
            found.append(
                f"line {ln.id} on {request.capabilities.words.agreement} {ln.agreement_id} copies "
                f"{ln.key}, which the invoice no longer lists ({state})"
            )
    return found


def _client_info(
    request: InvoicePlanRequest, client: ClientMapping, lines: list[KeyedLine], mapped: list[Mapped]
) -> ClientSummary:
    agreements = {client.agreement_for(p.key) for _, p in mapped} | {client.agreement_id}
    copies = sorted(
        (ln.id, ln.key or "", [s.units for s in ln.spans], str(ln.unit_price), str(ln.unit_cost), ln.billed)
        for ln in request.psa.lines
        if ln.kind == CHARGE and ln.agreement_id in agreements
    )
    source = sorted((k.key, k.line.quantity, str(k.line.unit_price), str(k.line.cycle_unit_price)) for k in lines)
    prices = sorted({(p.key, str(p.price), p.psa_product) for _, p in mapped})
    return ClientSummary(
        client.name,
        0,
        sum(k.line.quantity for k, _ in mapped),
        len(lines),
        ClientDigest(source=digest(source), psa=digest(copies), specs=digest([client_content(client), prices])),
    )


def _unmapped_customers(request: InvoicePlanRequest, lines: list[KeyedLine]) -> list[Unmapped]:
    if not request.full_run:
        return []
    mapped = {c.dd_customer_id for c in request.deployment.clients}
    names = {c.tenant_id: c.name for c in request.inventory.customers}
    seats: dict[str, int] = {}
    for keyed in lines:
        if keyed.line.tenant_id not in mapped:
            seats[keyed.line.tenant_id] = seats.get(keyed.line.tenant_id, 0) + keyed.line.quantity
    return [Unmapped("customer", t, names.get(t, t), n) for t, n in sorted(seats.items())]


def _label(keyed: KeyedLine) -> str:
    line = keyed.line
    return (
        f"invoice {line.invoice_number} line {line.stock_code} x {line.quantity} (subscription {line.subscription_id})"
    )
