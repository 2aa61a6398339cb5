"""Automap (billing.md section 5): propose client mappings by normalised company name.

Names are never matched at sync time; automap only *proposes*. A proposal needs an exact
match of the normalised names that is unique on both sides, a PSA company that no spec maps
yet, and exactly one active agreement to bill on. Everything else is reported with the
reason, for a person to map by hand. Written proposals are new files in specs/clients/,
meant for a pull request; an existing file is never overwritten.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from reconciler.model import Agreement, Deployment
from reconciler.model.psa import PsaId
from reconciler.provider import CompanyInfo
from reconciler.report.unmapped import UnmappedCustomer

_LEGAL_WORDS = re.compile(r"\b(?:limited|ltd|pty|inc)\b", re.IGNORECASE)
_PUNCTUATION_AND_SPACES = re.compile(r"[\W_]+")
_SLUG = re.compile(r"[^a-z0-9]+")


def normalise(name: str) -> str:
    """Drop the words Limited, Ltd, Pty and Inc, then punctuation and spaces; lower-case."""
    return _PUNCTUATION_AND_SPACES.sub("", _LEGAL_WORDS.sub(" ", name)).lower()


@dataclass(frozen=True)
class Proposal:
    """A Dicker Data customer, the PSA company whose name matches, and its one agreement."""

    customer: UnmappedCustomer
    company: CompanyInfo
    agreement: Agreement
    key: str  # the normalised name both share: the evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "dd_customer_id": self.customer.tenant_id,
            "dd_name": self.customer.name,
            "seats": self.customer.seats,
            "psa_company_id": self.company.id,
            "psa_company_name": self.company.name,
            "agreement_id": self.agreement.id,
            "agreement_name": self.agreement.name,
            "normalised_name": self.key,
        }


@dataclass(frozen=True)
class Skipped:
    """An unmapped customer automap does not propose, and why."""

    customer: UnmappedCustomer
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "dd_customer_id": self.customer.tenant_id,
            "dd_name": self.customer.name,
            "seats": self.customer.seats,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Automap:
    proposals: tuple[Proposal, ...]
    skipped: tuple[Skipped, ...]

    def to_json(self) -> dict[str, Any]:
        return {"proposals": [p.to_json() for p in self.proposals], "skipped": [s.to_json() for s in self.skipped]}


def propose(
    customers: Iterable[UnmappedCustomer], companies: dict[PsaId, CompanyInfo], deployment: Deployment
) -> Automap:
    """Proposals for `customers` (Dicker Data customers without a client mapping)."""
    customers = sorted(customers, key=lambda c: (c.name.lower(), c.tenant_id))
    dd_keys = Counter(normalise(c.name) for c in customers)
    by_key: dict[str, list[CompanyInfo]] = {}
    for company in companies.values():
        by_key.setdefault(normalise(company.name), []).append(company)
    mapped_by = {c.psa_company_id: c.file for c in deployment.clients}
    proposals, skipped = [], []
    for customer in customers:
        key = normalise(customer.name)
        outcome = _match(key, dd_keys[key], by_key.get(key, []), mapped_by)
        if isinstance(outcome, str):
            skipped.append(Skipped(customer, outcome))
        else:
            company, agreement = outcome
            proposals.append(Proposal(customer, company, agreement, key))
    return Automap(tuple(proposals), tuple(skipped))


def _match(
    key: str, dd_count: int, candidates: list[CompanyInfo], mapped_by: dict[PsaId, str]
) -> tuple[CompanyInfo, Agreement] | str:
    """The company and agreement to propose, or the reason there is none."""
    if not key:
        return "nothing is left of the name to match after normalising it"
    if dd_count > 1:
        return f"{dd_count} unmapped Dicker Data customers normalise to {key!r}; map them by hand"
    if not candidates:
        return f"no PSA company normalises to {key!r}"
    if len(candidates) > 1:
        listed = ", ".join(f"{c.id} {c.name!r}" for c in sorted(candidates, key=lambda c: c.id))
        return f"{len(candidates)} PSA companies normalise to {key!r} ({listed}); map it by hand"
    company = candidates[0]
    if company.id in mapped_by:
        return f"PSA company {company.id} {company.name!r} is already mapped in {mapped_by[company.id]}"
    if not company.agreements:
        return f"PSA company {company.id} {company.name!r} has no active agreement"
    if len(company.agreements) > 1:
        listed = ", ".join(f"{a.id} {a.name!r}" for a in company.agreements)
        return f"PSA company {company.id} {company.name!r} has several active agreements ({listed}); choose one by hand"
    return company, company.agreements[0]


def write(root: Path, proposals: Iterable[Proposal], *, today: date, psa: str) -> list[Path]:
    """Write one new specs/clients/<name>.yaml per proposal; never replace an existing file."""
    folder = Path(root) / "specs" / "clients"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for proposal in proposals:
        text = _header(proposal, today, psa) + yaml.safe_dump(_spec(proposal), sort_keys=False, allow_unicode=True)
        written.append(_create(folder, _slug(proposal.customer), text))
    return written


def _spec(proposal: Proposal) -> dict[str, Any]:
    return {
        "name": proposal.customer.name,
        "dd_customer_id": proposal.customer.tenant_id,
        "psa_company_id": proposal.company.id,
        "agreement_id": proposal.agreement.id,
        "active": True,
    }


def _header(proposal: Proposal, today: date, psa: str) -> str:
    lines = [
        f"Proposed by `ncesync automap` on {today.isoformat()}; review before merging.",
        f"Dicker Data customer {proposal.customer.name!r} ({proposal.customer.seats} seats)",
        f"and {psa} company {proposal.company.id} {proposal.company.name!r} both normalise to {proposal.key!r};",
        f"agreement {proposal.agreement.id} {proposal.agreement.name!r} is the company's only active one.",
    ]
    return "".join(f"# {line}\n" for line in lines)


def _slug(customer: UnmappedCustomer) -> str:
    return _SLUG.sub("-", customer.name.lower()).strip("-") or customer.tenant_id


def _create(folder: Path, stem: str, text: str) -> Path:
    for n in range(1, 1000):
        path = folder / (f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml")
        if path.exists() or path.with_suffix(".yml").exists():
            continue
        with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than replace
            handle.write(text)
        return path
    raise FileExistsError(f"{folder}: no free file name for {stem}.yaml")
