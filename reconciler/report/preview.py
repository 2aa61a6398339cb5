"""Invoice description preview (`ncesync describe`): the text each licence of one client gets.

The text is made exactly as the planner makes it (same licences, same counts, same template
and length limit), so what the preview shows is what the next apply writes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reconciler.billing.daily import plan_licence
from reconciler.billing.desired import desired_count
from reconciler.errors import ConfigError
from reconciler.model import ClientMapping, PsaId
from reconciler.model.specs import DESCRIPTION_OFF
from reconciler.plan import tally
from reconciler.plan.licences import group
from reconciler.plan.planner import PlanRequest, licence_input  # the planner's own per-licence inputs
from reconciler.provider import Words


@dataclass(frozen=True)
class CurrentLine:
    line_id: PsaId
    kind: str
    invoice_description: str


@dataclass(frozen=True)
class LicenceDescription:
    product_key: str
    product_name: str
    psa_product: str
    agreement_id: PsaId
    quantity: int
    text: str | None  # None: descriptions are off, the sync leaves them alone
    lines: tuple[CurrentLine, ...]  # the managed PSA lines and what they say now
    creates: bool = False  # the plan creates the line (so the text is written with it)
    problem: str | None = None  # why the plan changes nothing for this licence (an error)

    @property
    def differs(self) -> bool:
        return self.text is not None and any(ln.invoice_description != self.text for ln in self.lines)


@dataclass(frozen=True)
class DescriptionPreview:
    client_id: str
    client_name: str
    client_file: str
    sync_date: str
    words: Words  # what the PSA calls its lines and agreements
    source: str  # "default" (settings.yaml), "client" (its own template) or "off"
    template: str | None
    licences: tuple[LicenceDescription, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for entry, licence in zip(data["licences"], self.licences, strict=False):
            entry["differs"] = licence.differs
        return data


def preview(request: PlanRequest, client: ClientMapping) -> DescriptionPreview:
    """The description of every licence of `client`, from the request's fresh reads."""
    subscriptions = request.inventory.subscriptions_of(client.dd_customer_id)
    grouped = group(client, subscriptions, request.deployment, request.psa)
    licences = []
    for key in sorted(grouped.licences, key=lambda k: (grouped.licences[k].product.key, k)):
        licence = grouped.licences[key]
        try:
            inputs = licence_input(request, client, licence)
        except ValueError as exc:
            raise ConfigError(f"{client.file}: {exc}") from exc
        outcome = plan_licence(inputs)
        licences.append(
            LicenceDescription(
                product_key=licence.product.key,
                product_name=licence.product.name,
                psa_product=licence.product.psa_product,
                agreement_id=licence.agreement_id,
                quantity=desired_count(licence.subscriptions, count_trials=licence.product.count_trials),
                text=outcome.description,
                lines=tuple(CurrentLine(ln.id, ln.kind, ln.invoice_description) for ln in inputs.lines),
                creates=any(tally.CREATED in tally.effects(c) for c in outcome.changes),
                problem=outcome.errors[0] if outcome.errors else None,
            )
        )
    source, template = _template(request, client)
    return DescriptionPreview(
        client.dd_customer_id,
        client.name,
        client.file,
        request.sync_date.isoformat(),
        request.capabilities.words,
        source,
        template,
        tuple(licences),
    )


def _template(request: PlanRequest, client: ClientMapping) -> tuple[str, str | None]:
    if client.description_mode == DESCRIPTION_OFF:
        return "off", None
    if client.description_template:
        return "client", client.description_template
    return "default", request.deployment.settings.invoice_description
