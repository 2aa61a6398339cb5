"""`ncesync automap`: exact, unique normalised-name matches only, with the evidence; `--write`
creates specs/clients/*.yaml for review and never replaces a file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.model import Agreement
from reconciler.provider import CompanyInfo
from reconciler.report import automap as matcher
from reconciler.report.unmapped import UnmappedCustomer
from reconciler.specs import load_deployment
from tests.gitops.conftest import DATE, TODAY, edit_world, ncesync, plan_json

TASMAN = "070d7109-2085-4634-be3c-9c8f2b855c1f"  # the generator's unmapped customer (seed 7)
KAURI = "5b0c7f0e-0000-4000-8000-00000000ca01"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Contoso Pty Ltd", "contoso"),
        ("CONTOSO LIMITED.", "contoso"),
        ("Contoso, Inc.", "contoso"),
        ("Incline Holdings Ltd", "inclineholdings"),  # "Inc" only as a whole word
        ("Tasman Engineering & Co", "tasmanengineeringco"),
        ("A.B.C. (NZ) Limited", "abcnz"),
        ("Pty Ltd", ""),
    ],
)
def test_normalise_drops_legal_words_punctuation_and_case(name: str, expected: str) -> None:
    assert matcher.normalise(name) == expected


def _agreement(aid: int, company: int) -> Agreement:
    return Agreement(id=aid, company_id=company, name=f"Agreement {aid}", status="Active")


def _customer(name: str, tenant: str = "t1") -> UnmappedCustomer:
    return UnmappedCustomer(tenant, name, 5)


def _propose(customers: list[UnmappedCustomer], *companies: CompanyInfo):
    deployment = load_deployment(Path(__file__).parents[1] / "fixtures" / "specs" / "good")
    return matcher.propose(customers, {c.id: c for c in companies}, deployment)


def test_a_unique_exact_match_is_proposed_with_its_only_agreement() -> None:
    result = _propose(
        [_customer("Kauri Foods Pty Ltd")],
        CompanyInfo(900, "Kauri Foods Limited", (_agreement(9001, 900),)),
        CompanyInfo(901, "Kauri Foodstuffs Ltd", (_agreement(9002, 901),)),
    )
    assert [(p.company.id, p.agreement.id, p.key) for p in result.proposals] == [(900, 9001, "kaurifoods")]
    assert not result.skipped


@pytest.mark.parametrize(
    "companies, customers, reason",
    [
        (
            [
                CompanyInfo(900, "Kauri Foods Ltd", (_agreement(1, 900),)),
                CompanyInfo(901, "KAURI FOODS", (_agreement(2, 901),)),
            ],
            [_customer("Kauri Foods")],
            "2 PSA companies normalise to 'kaurifoods'",
        ),
        (
            [CompanyInfo(900, "Kauri Foods Ltd", (_agreement(1, 900),))],
            [_customer("Kauri Foods", "t1"), _customer("Kauri Foods Limited", "t2")],
            "2 unmapped Dicker Data customers normalise",
        ),
        (
            [CompanyInfo(250, "Kauri Foods Ltd", (_agreement(1, 250),))],
            [_customer("Kauri Foods")],
            "is already mapped in",
        ),
        ([CompanyInfo(900, "Kauri Foods Ltd")], [_customer("Kauri Foods")], "has no active agreement"),
        (
            [CompanyInfo(900, "Kauri Foods Ltd", (_agreement(1, 900), _agreement(2, 900)))],
            [_customer("Kauri Foods")],
            "has several active agreements (1 'Agreement 1', 2 'Agreement 2')",
        ),
        (
            [CompanyInfo(900, "Kauri Food Ltd", (_agreement(1, 900),))],
            [_customer("Kauri Foods")],
            "no PSA company normalises",
        ),
    ],
)
def test_anything_but_an_exact_unique_match_is_skipped_with_the_reason(companies, customers, reason) -> None:
    result = _propose(customers, *companies)
    assert not result.proposals
    assert result.skipped and all(reason in s.reason for s in result.skipped)


def test_write_never_replaces_a_file(tmp_path: Path) -> None:
    proposal = matcher.Proposal(
        _customer("Kauri Foods Ltd"), CompanyInfo(900, "Kauri Foods"), _agreement(9001, 900), "kaurifoods"
    )
    existing = tmp_path / "specs" / "clients" / "kauri-foods-ltd.yaml"
    existing.parent.mkdir(parents=True)
    existing.write_text("# someone else's\n")
    [path] = matcher.write(tmp_path, [proposal], today=TODAY, psa="connectwise")
    assert path.name == "kauri-foods-ltd-2.yaml"
    assert existing.read_text() == "# someone else's\n"
    assert yaml.safe_load(path.read_text()) == {
        "name": "Kauri Foods Ltd",
        "dd_customer_id": "t1",
        "psa_company_id": 900,
        "agreement_id": 9001,
        "active": True,
    }


def _psa_companies(world: dict) -> None:
    """PSA companies for the unmapped customers: one clean match, one ambiguous, decoys."""
    cw = world["connectwise"]
    sub = dict(
        world["dickerdata"]["subscriptions"][0],
        TenantId=KAURI,
        CompanyName="Kauri Foods Pty Ltd",
        SubscriptionId="5b0c7f0e-0000-4000-8000-0000000000s1",
        ConfirmedQuantity=7,
        Status="ACTIVE",
    )
    world["dickerdata"]["subscriptions"].append(sub)
    world["dickerdata"]["customers"].append({"TenantId": KAURI, "CompanyName": "Kauri Foods Pty Ltd"})

    def company(cid: int, name: str, deleted: bool = False) -> dict:
        return {
            "id": cid,
            "identifier": f"C{cid}",
            "name": name,
            "status": {"id": 1, "name": "Active"},
            "deletedFlag": deleted,
        }

    def agreement(aid: int, cid: int, name: str, status: str = "Active") -> dict:
        return dict(
            cw["agreements"][0],
            id=aid,
            name=name,
            company={"id": cid, "identifier": f"C{cid}", "name": name},
            agreementStatus=status,
            cancelledFlag=status == "Cancelled",
        )

    cw["companies"] += [
        company(900, "Tasman Engineering & Co Limited"),
        company(901, "Tasman Engineering and Co", deleted=False),
        company(902, "TASMAN ENGINEERING & CO", deleted=True),
        company(910, "Kauri Foods Ltd"),
        company(911, "Kauri Foods Limited"),
    ]
    cw["agreements"] += [
        agreement(9001, 900, "Tasman M365"),
        agreement(9002, 900, "Tasman old M365", "Cancelled"),
        agreement(9003, 902, "Deleted company's agreement"),
        agreement(9010, 910, "Kauri M365"),
        agreement(9011, 911, "Kauri M365"),
    ]


def test_automap_proposes_prints_the_evidence_and_writes_only_when_asked(deployment: Path) -> None:
    edit_world(deployment, _psa_companies)
    clients = deployment / "specs" / "clients"
    before = sorted(p.name for p in clients.iterdir())
    shown = ncesync("automap", "-C", str(deployment), *DATE)
    assert shown.code == 0, shown.stderr
    assert (
        f"  + Tasman Engineering & Co [{TASMAN}], 20 seats\n"
        '      -> connectwise company 900 "Tasman Engineering & Co Limited", agreement 9001 "Tasman M365"\n'
        '      evidence: both names normalise to "tasmanengineeringco"'
    ) in shown.stdout
    assert f"? Kauri Foods Pty Ltd [{KAURI}], 7 seats: 2 PSA companies normalise to 'kaurifoods'" in shown.stdout
    assert "Nothing was written" in shown.stdout
    assert sorted(p.name for p in clients.iterdir()) == before

    written = ncesync("automap", "-C", str(deployment), *DATE, "--write")
    assert written.code == 0, written.stderr
    new = clients / "tasman-engineering-co.yaml"
    assert sorted(p.name for p in clients.iterdir()) == sorted([*before, new.name])
    text = new.read_text()
    assert text.startswith("# Proposed by `ncesync automap` on 2024-06-15; review before merging.\n")
    assert yaml.safe_load(text) == {
        "name": "Tasman Engineering & Co",
        "dd_customer_id": TASMAN,
        "psa_company_id": 900,
        "agreement_id": 9001,
        "active": True,
    }

    assert ncesync("validate", "-C", str(deployment)).code == 0
    plan = plan_json(deployment)
    assert TASMAN in plan["clients"]
    assert [u["tenant_id"] for u in plan["unmapped"] if u["kind"] == "customer"] == [KAURI]

    again = ncesync("automap", "-C", str(deployment), *DATE, "--write")
    assert "No client mapping to propose." in again.stdout
    assert new.read_text() == text
    assert sorted(p.name for p in clients.iterdir()) == sorted([*before, new.name])


def test_automap_reports_a_psa_without_the_hook(deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.connectwise.provider import ConnectWiseProvider
    from reconciler.provider import TargetProvider

    monkeypatch.setattr(ConnectWiseProvider, "companies", TargetProvider.companies)
    result = ncesync("automap", "-C", str(deployment), *DATE)
    assert result.code == 1
    assert "cannot list PSA companies, so automap is not available" in result.stderr


def test_automap_on_autotask_uses_active_recurring_service_contracts(tmp_path: Path) -> None:
    from providers.sandbox.generator import generate

    root = tmp_path / "at"
    generate(root, clients=8, seed=7, psa="autotask", today=TODAY)

    def companies(world: dict) -> None:
        at = world["autotask"]
        contract = at["contracts"][0]
        at["companies"] += [
            {"id": 900, "companyName": "Tasman Engineering & Co Ltd", "isActive": True},
            {"id": 901, "companyName": "Tasman Engineering & Co", "isActive": False},
        ]
        at["contracts"] += [
            dict(contract, id=9001, companyID=900, contractName="Tasman M365"),
            dict(contract, id=9002, companyID=900, contractName="Tasman block hours", contractType=1),
            dict(contract, id=9003, companyID=900, contractName="Tasman old", status=0),
        ]

    edit_world(root, companies)
    result = ncesync("automap", "-C", str(root), *DATE)
    assert result.code == 0, result.stderr
    assert '-> autotask company 900 "Tasman Engineering & Co Ltd", agreement 9001 "Tasman M365"' in result.stdout
