"""Small hand-made deployments for end-to-end scenarios (billing.md test vectors).

One client, Contoso, with one licence: 12 seats of Microsoft 365 Business Premium on a
main line effective 2024-05-01, profile price 20.00, Dicker Data cost 15.00 per month.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

TENANT = "2b7f0c1e-5d7a-4b0e-9a55-0c4f1f1f0a01"
OTHER = "9c1d2e3f-0000-4000-8000-00000000f001"
STOCK = "P1Y:CFQ7TTC0LCHC:0002:1:"


def subscription(
    tenant: str, quantity: int, *, sid: str = "sub-bp-1", status: str = "ACTIVE", company: str = "Contoso Ltd"
) -> dict[str, Any]:
    return {
        "SubscriptionId": sid,
        "TenantId": tenant,
        "CompanyName": company,
        "StockCode": STOCK,
        "StockDescription": "MS NCE M365 BUSINESS PREMIUM 1 YR COMMIT MONTHLY",
        "ConfirmedQuantity": quantity,
        "Status": status,
        "BillingFrequency": "Monthly",
        "UnitPrice": "15.00",
        "UnitRRP": "20.00",
        "LastBillingDate": "2024-06-01",
        "NextBillingDate": "2024-07-01",
        "ExpiryDate": "2025-04-30",
    }


def addition(addition_id: int, agreement_id: int, quantity: int, *, recorded: str = "2024-04-30") -> dict[str, Any]:
    return {
        "id": addition_id,
        "agreementId": agreement_id,
        "product": {"id": 11, "identifier": "M365-BP"},
        "quantity": quantity,
        "unitPrice": 20.0,
        "unitCost": 15.0,
        "billCustomer": "Billable",
        "effectiveDate": "2024-05-01T00:00:00Z",
        "cancelledDate": None,
        "description": "Business Premium",
        "invoiceDescription": "",
        "agreementStatus": "Active",
        "_history": [{"recordedOn": recorded, "quantity": quantity}],
    }


def agreement(agreement_id: int, company_id: int, *, prorate: bool, status: str = "Active") -> dict[str, Any]:
    return {
        "id": agreement_id,
        "name": f"Agreement {agreement_id}",
        "type": {"id": 1, "name": "Managed Services"},
        "company": {"id": company_id, "identifier": f"C{company_id}", "name": f"Company {company_id}"},
        "contact": {"id": 1, "name": "Accounts Payable"},
        "agreementStatus": status,
        "prorateFlag": prorate,
        "billingCycle": {"id": 1, "name": "Monthly"},
        "startDate": "2024-01-01T00:00:00Z",
        "endDate": None,
        "cancelledFlag": status == "Cancelled",
        "noEndingDateFlag": True,
    }


def connectwise_world(*, quantity: int, prorate: bool, main_lines: int = 1) -> dict[str, Any]:
    return {
        "dickerdata": {
            "customers": [{"TenantId": TENANT, "CompanyName": "Contoso Ltd"}],
            "subscriptions": [subscription(TENANT, quantity)],
            "invoices": [],
        },
        "connectwise": {
            "companies": [{"id": 250, "identifier": "C250", "name": "Contoso Ltd"}],
            "agreements": [agreement(1001, 250, prorate=prorate)],
            "additions": [addition(501 + i, 1001, 12) for i in range(main_lines)],
            "catalog": [
                {
                    "id": 11,
                    "identifier": "M365-BP",
                    "description": "Business Premium",
                    "price": 20.0,
                    "cost": 15.0,
                    "customerDescription": "Business Premium",
                    "subcategory": {"id": 1, "name": "Microsoft NCE"},
                    "type": {"id": 1, "name": "Licence"},
                }
            ],
        },
        "autotask": {},
    }


def write_deployment(
    root: Path,
    world: dict[str, Any],
    *,
    style: str,
    psa: str = "connectwise",
    clients: list[dict[str, Any]] | None = None,
) -> Path:
    specs = root / "specs"
    (specs / "clients").mkdir(parents=True, exist_ok=True)
    settings = {
        "sync": {"type": "daily", "timezone": "Pacific/Auckland"},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": {"provider": psa, "endpoint": "sandbox"},
        "billing": {"style": style, "prorate": False},
        "safety": {"max_decrease_percent": 30, "min_seats": 10},
        "sandbox": {"world": "sandbox/world.json"},
    }
    products = {
        "products": {
            "m365-business-premium": {
                "name": "Microsoft 365 Business Premium",
                "stock_codes": ["P1Y:CFQ7TTC0LCHC:0002"],
                "psa_product": "M365-BP",
                "price": "20.00",
            }
        }
    }
    (specs / "settings.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (specs / "products.yaml").write_text(yaml.safe_dump(products, sort_keys=False))
    for client in clients or [
        {"name": "Contoso Ltd", "dd_customer_id": TENANT, "psa_company_id": 250, "agreement_id": 1001}
    ]:
        (specs / "clients" / f"{client['name'].split()[0].lower()}.yaml").write_text(
            yaml.safe_dump(client, sort_keys=False)
        )
    (root / "sandbox").mkdir(exist_ok=True)
    (root / "sandbox" / "world.json").write_text(json.dumps(world, indent=1))
    return root


def working_world(root: Path) -> dict[str, Any]:
    return json.loads((root / ".ncesync" / "world.json").read_text())


def edit_working_world(root: Path, edit) -> None:
    path = root / ".ncesync" / "world.json"
    world = json.loads(path.read_text())
    edit(world)
    path.write_text(json.dumps(world, indent=1))


def three_clients_world(
    *, quantities: tuple[int, int, int] = (15, 8, 4)
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Three ConnectWise clients, each with a 12/6/3-seat main line and a different DD count."""
    names = ["Contoso Ltd", "Fabrikam Ltd", "Northwind Ltd"]
    tenants = [TENANT, OTHER, "5a5a5a5a-0000-4000-8000-000000000003"]
    world = connectwise_world(quantity=quantities[0], prorate=False)
    cw, dd = world["connectwise"], world["dickerdata"]
    cw["additions"][0]["quantity"] = 12
    for i in (1, 2):
        company, agreement_id = 250 + i, 1001 + i
        cw["companies"].append({"id": company, "identifier": f"C{company}", "name": names[i]})
        cw["agreements"].append(agreement(agreement_id, company, prorate=False))
        cw["additions"].append(addition(501 + i, agreement_id, 6 // i))
        dd["customers"].append({"TenantId": tenants[i], "CompanyName": names[i]})
        dd["subscriptions"].append(subscription(tenants[i], quantities[i], sid=f"sub-bp-{i + 1}", company=names[i]))
    clients = [
        {"name": names[i], "dd_customer_id": tenants[i], "psa_company_id": 250 + i, "agreement_id": 1001 + i}
        for i in range(3)
    ]
    return world, clients


def autotask_world(*, quantity: int, posted_through_may: bool = True, june_posted: bool = False) -> dict[str, Any]:
    """Contoso on a recurring-service contract 7001 (from 2024-01-01), 12 units from May."""
    rows = []
    month_starts = ["2024-05-01", "2024-06-01", "2024-07-01", "2024-08-01"]
    month_ends = ["2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31"]
    for i, (start, end) in enumerate(zip(month_starts, month_ends, strict=False)):
        posted = (i == 0 and posted_through_may) or (i == 1 and june_posted)
        rows.append(
            {
                "id": i + 1,
                "contractID": 7001,
                "contractServiceID": 1,
                "serviceID": 9001,
                "startDate": f"{start}T00:00:00",
                "endDate": f"{end}T00:00:00",
                "units": 12,
                "price": 20.0,
                "cost": 15.0,
                "approveAndPostDate": f"{end}T00:00:00" if posted else None,
            }
        )
    return {
        "dickerdata": {
            "customers": [{"TenantId": TENANT, "CompanyName": "Contoso Ltd"}],
            "subscriptions": [subscription(TENANT, quantity)],
            "invoices": [],
        },
        "connectwise": {},
        "autotask": {
            "companies": [{"id": 250, "companyName": "Contoso Ltd", "isActive": True}],
            "contracts": [
                {
                    "id": 7001,
                    "companyID": 250,
                    "contractName": "Contoso - Microsoft 365",
                    "contractType": 7,
                    "status": 1,
                    "startDate": "2024-01-01T00:00:00",
                    "endDate": "2024-08-31T00:00:00",
                    "contractPeriodType": 2,
                }
            ],
            "services": [
                {
                    "id": 9001,
                    "name": "Microsoft 365 Business Premium",
                    "invoiceDescription": "Business Premium",
                    "unitPrice": 20.0,
                    "unitCost": 15.0,
                    "isActive": True,
                    "periodType": 2,
                }
            ],
            "contractServices": [
                {
                    "id": 1,
                    "contractID": 7001,
                    "serviceID": 9001,
                    "unitPrice": 20.0,
                    "unitCost": 15.0,
                    "invoiceDescription": "Business Premium",
                    "internalDescription": None,
                }
            ],
            "contractServiceUnits": rows,
            "contractServiceAdjustments": [],
            "contractCharges": [],
        },
    }


def write_autotask_deployment(root: Path, world: dict[str, Any], *, style: str, prorate: bool) -> Path:
    write_deployment(root, world, style=style, psa="autotask")
    settings = root / "specs" / "settings.yaml"
    settings.write_text(settings.read_text().replace("prorate: false", f"prorate: {str(prorate).lower()}"))
    products = root / "specs" / "products.yaml"
    products.write_text(products.read_text().replace("psa_product: M365-BP", "psa_product: '9001'"))
    for client in (root / "specs" / "clients").glob("*.yaml"):
        client.write_text(client.read_text().replace("agreement_id: 1001", "agreement_id: 7001"))
    return root
