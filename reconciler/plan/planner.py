"""Daily sync planning: specs + Dicker Data inventory + PSA state -> Plan. Pure, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from reconciler.billing.daily import plan_licence
from reconciler.billing.description import DescriptionContext, LicenceText
from reconciler.billing.desired import desired_count
from reconciler.billing.licence import LicenceInput
from reconciler.errors import ReconcilerError
from reconciler.model import ClientMapping, Deployment, Inventory, PsaLine, PsaState, StockCode, Subscription
from reconciler.model.licence import Licence
from reconciler.model.psa import PsaId
from reconciler.model.specs import DESCRIPTION_OFF
from reconciler.money import money_text
from reconciler.plan import review
from reconciler.plan.change import Change
from reconciler.plan.fingerprint import client_content, company_content
from reconciler.plan.licences import ClientLicences, agreements_in_scope, group, group_by_tenant, shared_licences
from reconciler.plan.plan import ClientDigest, ClientSummary, Issue, Plan, PlanDraft, ReviewItem, Unmapped, digest
from reconciler.provider import Capabilities, ProrateSource


class LicenceError(ReconcilerError):
    """One licence cannot be planned (no price, a template failing on its data)."""


@dataclass(frozen=True)
class PlanRequest:
    deployment: Deployment
    inventory: Inventory
    psa: PsaState
    capabilities: Capabilities  # what the target PSA does
    sync_date: date
    clients: tuple[ClientMapping, ...]  # the clients in scope (all active ones, or --client)
    full_run: bool = True  # False for --client: unmapped customers are not this run's business


def build_plan(request: PlanRequest) -> Plan:
    settings = request.deployment.settings
    plan = PlanDraft(
        sync_type=settings.sync_type,
        sync_date=request.sync_date.isoformat(),
        psa=settings.psa.name,
        words=request.capabilities.words,
    )
    by_tenant = group_by_tenant(request.inventory.subscriptions)
    clients = sorted(request.clients, key=lambda c: (c.name.lower(), c.dd_customer_id))
    groups = {
        c.dd_customer_id: group(c, by_tenant.get(c.dd_customer_id, []), request.deployment, request.psa)
        for c in clients
    }
    shared = shared_licences(groups, clients, request.deployment, full_run=request.full_run)
    for client in clients:
        subs = by_tenant.get(client.dd_customer_id, [])
        _plan_client(request, client, subs, groups[client.dd_customer_id], shared, plan)
    plan.unmapped = _unmapped_customers(request, by_tenant) + plan.unmapped
    plan.changes.sort(key=lambda c: (c.client_name.lower(), c.client_id, c.agreement_id, c.product_id, c.line_kind))
    scope = {"clients": sorted(c.dd_customer_id for c in request.clients), "full_run": request.full_run}
    return plan.finish(fingerprint=fingerprint(request, plan), scope=scope)


def fingerprint(request: PlanRequest, plan: PlanDraft) -> str:
    """Hash of every input: company specs, and per client its DD, PSA and spec digests.
    Content only: the same deployment read from another folder has the same fingerprint."""
    company = company_content(request.deployment)
    clients = {k: asdict(v.digest) for k, v in sorted(plan.clients.items())}
    return digest({"specs": company, "date": plan.sync_date, "clients": clients})


def _plan_client(
    request: PlanRequest,
    client: ClientMapping,
    subs: list[Subscription],
    grouped: ClientLicences,
    shared: dict[tuple[PsaId, str], list[str]],
    plan: PlanDraft,
) -> None:
    who = (client.dd_customer_id, client.name)
    plan.warnings.extend(Issue(w, *who) for w in grouped.warnings)
    plan.unmapped.extend(_unmapped_codes(grouped.unmapped, who))
    seats_psa = seats_dd = 0
    changes: list[Change] = []
    reviews: list[ReviewItem] = []
    had_lines = False
    for key in sorted(grouped.licences):
        licence = grouped.licences[key]
        if _unreadable(request, client, licence, plan):
            continue
        if key in shared:
            plan.errors.append(Issue(_shared_message(licence, shared[key], client), *who, licence.product.key))
            continue
        try:
            inputs = licence_input(request, client, licence)
            outcome = plan_licence(inputs)
        except LicenceError as error:  # this licence only: the rest of the client goes on
            plan.errors.append(Issue(str(error), *who, licence.product.key))
            continue
        changes.extend(outcome.changes)
        reviews += review.licence_items(inputs, outcome, request.deployment.settings.review)
        had_lines = had_lines or outcome.current is not None
        plan.errors.extend(Issue(e, *who, licence.product.key) for e in outcome.errors)
        plan.warnings.extend(Issue(w, *who, licence.product.key) for w in outcome.warnings)
        if not outcome.errors:  # an unsynced licence must not move the client's seat totals
            seats_dd += outcome.desired
            seats_psa += outcome.current or 0
    plan.changes.extend(changes)
    plan.review.extend(review.client_items(*who, changes, reviews, had_lines=had_lines))
    lines = [ln for key in sorted(grouped.licences) for ln in request.psa.lines_of(*key)]
    plan.clients[client.dd_customer_id] = ClientSummary(
        client.name, seats_psa, seats_dd, len(subs), _client_digest(request, client, subs, lines)
    )


def _shared_message(licence: Licence, names: list[str], client: ClientMapping) -> str:
    others = ", ".join(n for n in names if n != client.name) or "another client"
    return (
        f"{licence.product.key}: {others} also map agreement {licence.agreement_id} for "
        f"{licence.product.psa_product}; each client would set the line to its own seat count, one "
        "after the other: map each client to an agreement of its own (no change)"
    )


def _unmapped_codes(subs: list[Subscription], who: tuple[str, str]) -> list[Unmapped]:
    """Subscriptions whose stock code no product maps; without active seats they leak
    nothing, so they are left out."""
    return [
        Unmapped(
            "stock_code", *who, sub.quantity, sub.stock_code, monthly_cost=money_text(sub.quantity * sub.unit_cost)
        )
        for sub in subs
        if _may_bill(sub)
    ]


def _may_bill(sub: Subscription) -> bool:
    """Seats Dicker Data may bill: active ones, and those in a status ncesync does not know
    (reported rather than read as none)."""
    return sub.quantity > 0 and (sub.is_active or not sub.status_known)


def _unreadable(request: PlanRequest, client: ClientMapping, licence: Licence, plan: PlanDraft) -> bool:
    """A licence depending on a PSA record the provider could not read is not planned: its
    plan would rest on a guess. The error is the provider's, naming the record and field."""
    blocked = request.psa.unreadable_for(licence.agreement_id, licence.product.psa_product)
    for record in blocked:
        plan.errors.append(
            Issue(
                f"{licence.product.key}: {record.message}; this licence is not synced "
                "until the record is fixed in the PSA",
                client.dd_customer_id,
                client.name,
                licence.product.key,
            )
        )
    return bool(blocked)


def _client_digest(
    request: PlanRequest, client: ClientMapping, subs: list[Subscription], lines: list[PsaLine]
) -> ClientDigest:
    """What a saved plan is checked against: a change on any side shows up per client."""
    agreements = sorted(
        (a.id, a.status, a.prorate, str(a.start_date), str(a.end_date), str(a.posted_through))
        for a in (request.psa.agreements.get(i) for i in agreements_in_scope([client], request.deployment))
        if a
    )
    psa_lines = sorted(
        (
            ln.id,
            ln.product_id,
            ln.kind,
            [(str(s.start), str(s.end), s.units) for s in ln.spans],
            str(ln.unit_price),
            ln.invoice_description,
        )
        for ln in lines
    )
    return ClientDigest(
        source=digest(
            sorted((s.subscription_id, s.stock_code, s.quantity, s.status, str(s.unit_cost), s.is_trial) for s in subs)
        ),
        psa=digest({"agreements": agreements, "lines": psa_lines}),
        specs=digest(client_content(client)),
    )


def licence_input(request: PlanRequest, client: ClientMapping, licence: Licence) -> LicenceInput:
    """What the billing rules decide one licence from (also what `describe` previews)."""
    settings = request.deployment.settings
    agreement = request.psa.agreements.get(licence.agreement_id)
    style = client.billing or settings.billing
    product = licence.product
    catalog = request.psa.catalog.get(product.psa_product)
    price = product.price if product.price is not None else (catalog.price if catalog else None)
    if price is None:
        raise LicenceError(
            f"{product.key}: no price to bill at: products.yaml sets no `price` and the PSA catalogue "
            f"has no product {product.psa_product!r}; set a price or fix psa_product"
        )
    prorate = style.prorate
    if request.capabilities.prorate_source == ProrateSource.AGREEMENT and agreement:
        prorate = bool(agreement.prorate)
    desired = desired_count(licence.subscriptions, count_trials=product.count_trials)
    return LicenceInput(
        client=client,
        product=product,
        agreement_id=licence.agreement_id,
        agreement=agreement,
        subscriptions=tuple(licence.subscriptions),
        lines=tuple(request.psa.lines_of(licence.agreement_id, product.psa_product)),
        style=style.style,
        prorate=prorate,
        capabilities=request.capabilities,
        profile_price=price,
        catalog_id=catalog.id if catalog else None,
        invoice_description=_description(request, client, licence, desired, price),
        sync_date=request.sync_date,
        follow_cost=settings.follow_cost,
    )


def _description(
    request: PlanRequest, client: ClientMapping, licence: Licence, quantity: int, price: Decimal
) -> LicenceText | None:
    """The licence's template with its variables; the billing rules add the effective date
    and its period, which only they know."""
    if client.description_mode == DESCRIPTION_OFF:
        return None
    source = client.description_template or request.deployment.settings.invoice_description
    if source is None:
        return None
    sub = licence.subscriptions[0] if licence.subscriptions else None
    code = StockCode.parse(sub.stock_code) if sub else None
    context = DescriptionContext(
        client_name=client.name,
        client_id=client.dd_customer_id,
        licence_name=licence.product.name,
        stock_code=sub.stock_code if sub else "",
        term=(code.term or "") if code else "",
        billing_frequency=code.billing_name if code else "",
        quantity=quantity,
        period_start=request.sync_date,  # replaced by the effective date's period
        period_end=request.sync_date,
        term_end=max((s.term_end for s in licence.subscriptions if s.term_end), default=None),
        unit_price=price,
        sync_date=request.sync_date,
    )
    return LicenceText(source, context)


def _unmapped_customers(request: PlanRequest, by_tenant: dict[str, list[Subscription]]) -> list[Unmapped]:
    """Dicker Data customers without a client mapping that hold active seats."""
    mapped = {c.dd_customer_id for c in request.deployment.clients}
    if not request.full_run:
        return []
    result = []
    for tenant_id, subs in sorted(by_tenant.items()):
        active = [s for s in subs if _may_bill(s)]
        if tenant_id not in mapped and active:
            cost = money_text(sum((s.quantity * s.unit_cost for s in active), Decimal("0")))
            result.append(
                Unmapped(
                    "customer", tenant_id, subs[0].company_name, sum(s.quantity for s in active), monthly_cost=cost
                )
            )
    return result
