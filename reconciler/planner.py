"""Daily sync planning: specs + Dicker Data inventory + PSA state -> Plan. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reconciler.billing.daily import LicenceInput, plan_licence
from reconciler.billing.desired import desired_count
from reconciler.billing.periods import period_containing
from reconciler.description import DescriptionContext, DescriptionTemplate
from reconciler.licences import Licence, group, group_by_tenant
from reconciler.model import ClientMapping, Deployment, Inventory, PsaState, StockCode
from reconciler.model.specs import DESCRIPTION_OFF
from reconciler.plan import Issue, Plan, Unmapped, digest


@dataclass(frozen=True)
class PlanRequest:
    deployment: Deployment
    inventory: Inventory
    psa: PsaState
    psa_kind: str
    description_limit: int
    sync_date: date
    clients: tuple[ClientMapping, ...]  # the clients in scope (all active ones, or --client)
    full_run: bool = True  # False for --client: unmapped customers are not this run's business


def build_plan(request: PlanRequest) -> Plan:
    settings = request.deployment.settings
    plan = Plan(sync_type=settings.sync_type, sync_date=request.sync_date.isoformat(), psa=settings.psa.name)
    by_tenant = group_by_tenant(request.inventory.subscriptions)
    for client in sorted(request.clients, key=lambda c: (c.name.lower(), c.dd_customer_id)):
        _plan_client(request, client, by_tenant.get(client.dd_customer_id, []), plan)
    plan.unmapped = _unmapped_customers(request, by_tenant) + plan.unmapped
    plan.changes.sort(key=lambda c: (c.client_name.lower(), c.client_id, c.agreement_id, c.product_id, c.line_kind))
    plan.fingerprint = digest({k: v["digest"] for k, v in sorted(plan.clients.items())})
    plan.scope = {"clients": sorted(c.dd_customer_id for c in request.clients), "full_run": request.full_run}
    return plan


def _plan_client(request: PlanRequest, client: ClientMapping, subs: list, plan: Plan) -> None:
    grouped = group(client, subs, request.deployment, request.psa)
    for warning in grouped.warnings:
        plan.warnings.append(Issue(warning, client.dd_customer_id, client.name))
    for sub in grouped.unmapped:
        plan.unmapped.append(Unmapped("stock_code", client.dd_customer_id, client.name, sub.quantity if sub.is_active else 0, sub.stock_code))
    seats_before = seats_after = 0
    lines_seen = []
    for key in sorted(grouped.licences):
        licence = grouped.licences[key]
        outcome = plan_licence(_licence_input(request, client, licence))
        plan.changes.extend(outcome.changes)
        plan.errors.extend(Issue(e, client.dd_customer_id, client.name, licence.product.key) for e in outcome.errors)
        plan.warnings.extend(Issue(w, client.dd_customer_id, client.name, licence.product.key) for w in outcome.warnings)
        if not outcome.errors:  # an unsynced licence must not move the client's seat totals
            seats_after += outcome.desired
            seats_before += outcome.current or 0
        lines_seen += [ln for ln in request.psa.lines_of(*key)]
    plan.clients[client.dd_customer_id] = {
        "name": client.name,
        "seats_psa": seats_before,
        "seats_dicker_data": seats_after,
        "dd_subscriptions": len(subs),
        "digest": {
            "source": digest(sorted((s.subscription_id, s.stock_code, s.quantity, s.status, str(s.unit_cost)) for s in subs)),
            "psa": digest(sorted((ln.id, ln.product_id, [(str(s.start), str(s.end), s.units) for s in ln.spans], str(ln.unit_price), ln.invoice_description) for ln in lines_seen)),
            "specs": digest(repr(client)),
        },
    }


def _licence_input(request: PlanRequest, client: ClientMapping, licence: Licence) -> LicenceInput:
    settings = request.deployment.settings
    agreement = request.psa.agreements.get(licence.agreement_id)
    style = client.billing or settings.billing
    product = licence.product
    catalog = request.psa.catalog.get(product.psa_product)
    price = product.price if product.price is not None else (catalog.price if catalog else Decimal("0"))
    prorate = bool(agreement.prorate) if request.psa_kind == "connectwise" and agreement else style.prorate
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
        psa_kind=request.psa_kind,
        profile_price=price,
        catalog_id=catalog.id if catalog else None,
        invoice_description=_description(request, client, licence, desired, price),
        sync_date=request.sync_date,
        description_limit=request.description_limit,
    )


def _description(request: PlanRequest, client: ClientMapping, licence: Licence, quantity: int, price: Decimal) -> str | None:
    if client.description_mode == DESCRIPTION_OFF:
        return None
    source = client.description_template or request.deployment.settings.invoice_description
    if source is None:
        return None
    start, end = period_containing(request.psa.agreements.get(licence.agreement_id), request.sync_date)
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
        period_start=start,
        period_end=end,
        term_end=max((s.term_end for s in licence.subscriptions if s.term_end), default=None),
        unit_price=price,
        sync_date=request.sync_date,
    )
    return DescriptionTemplate(source).render(context, limit=request.description_limit)


def _unmapped_customers(request: PlanRequest, by_tenant: dict) -> list[Unmapped]:
    mapped = {c.dd_customer_id for c in request.deployment.clients}
    if not request.full_run:
        return []
    result = []
    for tenant_id, subs in sorted(by_tenant.items()):
        if tenant_id not in mapped:
            seats = sum(s.quantity for s in subs if s.is_active)
            result.append(Unmapped("customer", tenant_id, subs[0].company_name, seats))
    return result
