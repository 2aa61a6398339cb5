"""`ncesync doctor` for TinyPSA: read-only checks of the token, the mapped plans and the
mapped catalog codes, each with its fix. A failed call is a failed Check, never a raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.errors import ProviderError
from reconciler.model import Check, Scope

if TYPE_CHECKING:
    from tinypsa.provider import TinyPsaProvider


def diagnose(provider: TinyPsaProvider, scope: Scope) -> list[Check]:
    try:
        state = provider.read(scope)
    except ProviderError as exc:
        fix = (
            f"issue a new API token in TinyPSA and set {provider.client.token_setting}"
            if exc.status == 401
            else "check psa.endpoint and that TinyPSA answers"
        )
        return [Check("tinypsa read", False, str(exc), fix)]
    missing = sorted(scope.agreement_ids - set(state.agreements))
    inactive = sorted(a.id for a in state.agreements.values() if not a.is_active)
    unknown = sorted(scope.product_ids - set(state.catalog))
    return [
        Check(
            "tinypsa read",
            True,
            f"{len(state.agreements)} plans, {len(state.lines)} items and {len(state.catalog)} catalog items read",
        ),
        Check(
            "tinypsa plans",
            not (missing or inactive),
            _listed(("not found", missing), ("not active", inactive)) or "every mapped plan is active",
            "map each client to an active plan (agreement_id in specs/clients/*.yaml)",
        ),
        Check(
            "tinypsa catalog",
            not unknown,
            _listed(("codes not in the catalog", unknown)) or "every mapped product has a catalog item",
            "add the catalog item in TinyPSA or fix psa_product",
        ),
    ]


def _listed(*groups: tuple[str, list]) -> str:
    return "; ".join(f"{what}: {', '.join(map(str, ids))}" for what, ids in groups if ids)
