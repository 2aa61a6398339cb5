"""`ncesync sandbox init`: write a complete, reproducible demo deployment.

Same arguments, same bytes: all randomness comes from `random.Random(seed)`, `today` is
passed in, JSON keys are sorted and YAML is written in a fixed order.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from providers.sandbox.catalogue import MAPPED
from providers.sandbox.client_plan import DRIFT_SHARE, ClientPlan, plan_clients
from providers.sandbox.generated_world import (
    autotask_world,
    connectwise_world,
    dickerdata_world,
    service_id,
)
from providers.sandbox.generated_xero import contact_id, repeating_invoice_id, xero_world
from providers.sandbox.working_copy import reset, working_world
from providers.sandbox.world import validated_text

__all__ = ["generate", "reset", "working_world"]

WORLD_REL = "sandbox/world.json"
PSAS = ("connectwise", "autotask", "xero")
SYNCS = ("daily", "monthly")
STYLES = ("advance", "arrears")
CUSTOM_PRICES = {"m365-business-premium": "36.30", "exchange-online-plan-1": "6.50"}
INVOICE_DESCRIPTION = "{{ licence.name }} x {{ quantity }}"
DEFAULT_TIMEZONE = "Pacific/Auckland"


def generate(
    dest: Path,
    *,
    clients: int,
    seed: int,
    psa: str = "connectwise",
    sync: str = "daily",
    style: str = "advance",
    prorate: bool = False,
    today: date,
    licences_per_client: int | None = None,
    drift_share: float = DRIFT_SHARE,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    """Write specs/settings.yaml, specs/products.yaml, specs/clients/*.yaml, sandbox/world.json.

    `licences_per_client` (default: 2 to 4) and `drift_share` (share of clients whose PSA
    differs from Dicker Data on one licence) shape larger worlds, e.g. for benchmarks."""
    for name, value, allowed in (("psa", psa, PSAS), ("sync", sync, SYNCS), ("style", style, STYLES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    if clients < 1:
        raise ValueError("clients must be at least 1")
    rng = random.Random(seed)
    plans = plan_clients(rng, clients, today, licences_per_client=licences_per_client, drift_share=drift_share)
    world = _world(plans, rng, psa=psa, sync=sync, prorate=prorate, today=today)
    world["meta"] = {
        "seed": seed,
        "clients": clients,
        "style": style,
        "psa": psa,
        "sync": sync,
        "today": today.isoformat(),
    }
    if psa == "autotask":
        # The emulated database keeps the MSP's zone and serves dates the hardest way a
        # live tenant does: the UTC instant of local midnight, without a `Z`.
        world["meta"]["autotask_database"] = {"timezone": timezone, "served": "utc", "received": "utc_instant"}
    text = validated_text(world, source="generated world")
    dest = Path(dest)
    _write(dest / WORLD_REL, text)
    _write_yaml(dest / "specs" / "settings.yaml", _settings(psa, sync, style, prorate, timezone))
    _write_yaml(dest / "specs" / "products.yaml", _products(psa))
    for plan in (p for p in plans if p.mapped):
        _write_yaml(dest / "specs" / "clients" / f"{plan.slug}.yaml", _client(plan, psa))


def _world(
    plans: list[ClientPlan], rng: random.Random, *, psa: str, sync: str, prorate: bool, today: date
) -> dict[str, Any]:
    lines = sync == "daily"  # monthly sync copies invoices; it starts from agreements without lines
    world = {
        "dickerdata": dickerdata_world(plans, today, invoices=sync == "monthly", rng=rng),
        "connectwise": connectwise_world(plans, prorate=prorate, lines=lines, rng=rng) if psa == "connectwise" else {},
        "autotask": autotask_world(plans, today, lines=lines, rng=rng) if psa == "autotask" else {},
    }
    if psa == "xero":
        world["xero"] = xero_world(plans, today, lines=lines, rng=rng)
    return world


def _settings(psa: str, sync: str, style: str, prorate: bool, timezone: str) -> dict[str, Any]:
    psa_block: dict[str, Any] = {"provider": psa, "endpoint": "sandbox"}
    if psa == "connectwise":
        psa_block["codebase"] = "v4_6_release"
    return {
        "sync": {"type": sync, "timezone": timezone},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": psa_block,
        "billing": {"style": style, "prorate": prorate},
        "invoice_description": INVOICE_DESCRIPTION,
        # The guards' defaults, written out so a new deployment shows what protects it.
        "safety": {
            "max_decrease_percent": 30,
            "min_seats": 10,
            "max_runrate_change": 10000,
            "max_licence_change": 1000,
            "max_licence_factor": 10,
        },
        "sandbox": {"world": WORLD_REL},
    }


def _products(psa: str) -> dict[str, Any]:
    products: dict[str, Any] = {}
    for product in MAPPED:
        entry: dict[str, Any] = {
            "name": product.name,
            "stock_codes": [
                product.stock_code.rstrip(":").rsplit(":", 1)[0]
                if product.stock_code.count(":") >= 3
                else product.stock_code
            ],
            "psa_product": str(service_id(product)) if psa == "autotask" else product.psa_product,
        }
        if product.key in CUSTOM_PRICES:
            entry["price"] = CUSTOM_PRICES[product.key]
            entry["profile"] = f"{product.name} standard"
        entry["protect"] = False
        products[product.key] = entry
    return {"products": products}


def _client(plan: ClientPlan, psa: str) -> dict[str, Any]:
    company: int | str = plan.company_id
    agreement: int | str = 1000 + plan.index + 1 if psa == "connectwise" else 7000 + plan.index + 1
    if psa == "xero":  # a contact and its repeating invoice, by their UUIDs
        company, agreement = contact_id(plan), repeating_invoice_id(plan)
    return {
        "name": plan.name,
        "dd_customer_id": plan.tenant_id,
        "psa_company_id": company,
        "agreement_id": agreement,
        "active": True,
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    _write(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
