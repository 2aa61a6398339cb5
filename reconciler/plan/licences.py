"""Which licences a client has: its subscriptions and PSA lines grouped by (agreement, product).

A licence is what one PSA line carries: every mapped subscription of the client that lands
on the same agreement and PSA product. Groups also come from the PSA side, so a product that
vanished from Dicker Data entirely still shows up (with zero desired seats) instead of being
silently left at its old count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reconciler.model import ClientMapping, Deployment, ProductMapping, PsaState, Subscription
from reconciler.model.licence import Licence
from reconciler.model.psa import PsaId, id_order


@dataclass
class ClientLicences:
    licences: dict[tuple[PsaId, str], Licence] = field(default_factory=dict)
    unmapped: list[Subscription] = field(default_factory=list)  # no product mapping
    warnings: list[str] = field(default_factory=list)


def group(
    client: ClientMapping, subscriptions: list[Subscription], deployment: Deployment, psa: PsaState
) -> ClientLicences:
    result = ClientLicences()
    by_product: dict[str, ProductMapping] = {}
    for p in sorted(deployment.products.values(), key=lambda p: p.key):
        if p.active:
            by_product.setdefault(p.psa_product, p)
    # Products the client excludes are not ncesync's business on either side: their PSA
    # lines must not be planned down to zero because no subscription is counted for them.
    excluded = {p.psa_product for p in by_product.values() if client.excludes_product(p)}
    for sub in sorted(subscriptions, key=lambda s: (s.stock_code, s.subscription_id)):
        if client.excludes(sub.stock_code):
            product = deployment.product_for(sub.stock_code)
            if product is not None:
                excluded.add(product.psa_product)
            continue
        product = deployment.product_for(sub.stock_code)
        if product is None:
            result.unmapped.append(sub)
            continue
        agreement_id = client.agreement_for(product.key)
        licence = result.licences.setdefault(
            (agreement_id, product.psa_product), Licence(agreement_id, by_product[product.psa_product])
        )
        if product.key != licence.product.key and _terms(product) != _terms(licence.product):
            result.warnings.append(
                f"product mappings {licence.product.key!r} and {product.key!r} bill as {product.psa_product} "
                f"on agreement {agreement_id} with different price, protect or count_trials; "
                f"{licence.product.key!r} is used for both"
            )
        licence.subscriptions.append(sub)
    for agreement_id in _agreements_of(client, deployment):
        for line in psa.lines_on(agreement_id):
            if line.product_id in by_product and line.product_id not in excluded:
                product = by_product[line.product_id]
                if client.agreement_for(product.key) == agreement_id:
                    result.licences.setdefault((agreement_id, line.product_id), Licence(agreement_id, product))
    return result


def _terms(product: ProductMapping) -> tuple[object, ...]:
    return (product.price, product.protect, product.count_trials)


def _agreements_of(client: ClientMapping, deployment: Deployment) -> list[PsaId]:
    ids = {client.agreement_id} | {o.agreement_id for o in client.licences if o.agreement_id}
    return sorted(ids, key=id_order)


def agreements_in_scope(clients: list[ClientMapping], deployment: Deployment) -> set[PsaId]:
    return {a for c in clients for a in _agreements_of(c, deployment)}


def group_by_tenant(subscriptions: tuple[Subscription, ...]) -> dict[str, list[Subscription]]:
    result: dict[str, list[Subscription]] = defaultdict(list)
    for sub in subscriptions:
        result[sub.tenant_id].append(sub)
    return result


def shared_licences(
    groups: dict[str, ClientLicences], planned: list[ClientMapping], deployment: Deployment, *, full_run: bool
) -> dict[tuple[PsaId, str], list[str]]:
    """The licences (agreement, PSA product) that more than one client would write: each
    client would set the line to its own seat count, one after the other, every night (two
    Autotask adjustments on one day). Per licence key, the names of the clients that claim it.

    A full run knows every client's licences. A run for some clients does not know what the
    others buy: a licence is held back there too when another active client's specs send
    that PSA product to that agreement (a full run decides). Ids are compared as the specs
    loader spells them (one spelling per id: specs/loader.py `_psa_id`)."""
    claims: dict[tuple[PsaId, str], list[str]] = defaultdict(list)
    names = {c.dd_customer_id: c.name for c in planned}
    for tenant, grouped in groups.items():
        for key in grouped.licences:
            claims[key].append(names[tenant])
    if not full_run and claims:
        others = [c for c in deployment.clients if c.active and c.dd_customer_id not in names]
        for key, who in _claims_of(others, deployment).items():
            if key in claims:
                claims[key] += who
    return {key: sorted(who) for key, who in claims.items() if len(who) > 1}


def _claims_of(clients: list[ClientMapping], deployment: Deployment) -> dict[tuple[PsaId, str], list[str]]:
    """Which (agreement, PSA product) each client's specs may write, whatever it buys."""
    products = [p for p in deployment.products.values() if p.active]
    claims: dict[tuple[PsaId, str], list[str]] = defaultdict(list)
    for client in clients:
        for key in {(client.agreement_for(p.key), p.psa_product) for p in products if not client.excludes_product(p)}:
            claims[key].append(client.name)
    return claims
