"""The NCE products the generator draws from: real stock codes, plausible AUD costs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class NceProduct:
    key: str  # products.yaml mapping key
    name: str
    stock_code: str
    description: str  # Dicker Data stock description
    psa_product: str  # ConnectWise catalog identifier
    monthly_cost: Decimal  # Dicker Data cost per seat per month
    monthly_price: Decimal  # the MSP's sell price per seat per month

    @property
    def billing_frequency(self) -> str:
        return "Annual" if self.stock_code.rstrip(":").endswith(":Y") else "Monthly"

    @property
    def term_months(self) -> int:
        return 12 if self.stock_code.startswith("P1Y") else 1

    @property
    def unit_price(self) -> Decimal:
        """DD UnitPrice: cost per seat per billing period of the billing frequency."""
        months = 12 if self.billing_frequency == "Annual" else 1
        return self.monthly_cost * months


def _p(key: str, name: str, code: str, desc: str, psa: str, cost: str, price: str) -> NceProduct:
    return NceProduct(key, name, code, desc, psa, Decimal(cost), Decimal(price))


MAPPED = (
    _p(
        "m365-business-premium",
        "Microsoft 365 Business Premium",
        "P1Y:CFQ7TTC0LCHC:0002:1:",
        "MS NCE M365 BUSINESS PREMIUM 1 YR COMMIT MONTHLY",
        "M365-BP-ANNUAL",
        "30.25",
        "36.30",
    ),
    _p(
        "m365-business-premium-monthly",
        "Microsoft 365 Business Premium (monthly term)",
        "P1M:CFQ7TTC0LCHC:0002",
        "MS NCE M365 BUSINESS PREMIUM 1 MTH COMMIT",
        "M365-BP-MONTHLY",
        "36.30",
        "43.56",
    ),
    _p(
        "m365-business-basic",
        "Microsoft 365 Business Basic",
        "P1Y:CFQ7TTC0LDPB:0001:1:",
        "MS NCE M365 BUSINESS BASIC 1 YR COMMIT MONTHLY",
        "M365-BB-ANNUAL",
        "5.40",
        "6.60",
    ),
    _p(
        "exchange-online-plan-1",
        "Exchange Online (Plan 1)",
        "P1Y:CFQ7TTC0LH18:0001:1:",
        "MS NCE EXCHANGE ONLINE PLAN 1 1 YR COMMIT MONTHLY",
        "EXO-P1-ANNUAL",
        "5.40",
        "6.50",
    ),
    _p(
        "m365-business-standard-monthly",
        "Microsoft 365 Business Standard (monthly term)",
        "P1M:CFQ7TTC0LH04:0001",
        "MS NCE M365 BUSINESS STANDARD 1 MTH COMMIT",
        "M365-BS-MONTHLY",
        "20.52",
        "24.60",
    ),
    _p(
        "office-365-e3-annual",
        "Office 365 E3 (billed annually)",
        "P1Y:CFQ7TTC0LH0R:0001:Y:",
        "MS NCE O365 E3 1 YR COMMIT ANNUAL",
        "O365-E3-ANNUAL",
        "31.32",
        "37.60",
    ),
    _p(
        "teams-essentials",
        "Microsoft Teams Essentials",
        "P1Y:CFQ7TTC0LHSV:0001:1:",
        "MS NCE TEAMS ESSENTIALS 1 YR COMMIT MONTHLY",
        "TEAMS-ESS-ANNUAL",
        "5.94",
        "7.20",
    ),
    _p(
        "defender-for-business",
        "Microsoft Defender for Business",
        "P1Y:CFQ7TTC0LCHX:0001:1:",
        "MS NCE DEFENDER FOR BUSINESS 1 YR COMMIT MONTHLY",
        "MDB-ANNUAL",
        "4.86",
        "5.90",
    ),
    _p(
        "entra-id-p1",
        "Microsoft Entra ID P1",
        "P1Y:CFQ7TTC0LFLZ:0001:1:",
        "MS NCE ENTRA ID P1 1 YR COMMIT MONTHLY",
        "ENTRA-P1-ANNUAL",
        "9.18",
        "11.00",
    ),
    _p(
        "visio-plan-2",
        "Visio Plan 2",
        "P1Y:CFQ7TTC0LHS9:0001:1:",
        "MS NCE VISIO PLAN 2 1 YR COMMIT MONTHLY",
        "VISIO-P2-ANNUAL",
        "24.30",
        "29.20",
    ),
)

UNMAPPED = (
    _p(
        "project-plan-3",
        "Project Plan 3",
        "P1Y:CFQ7TTC0LHRW:0001:1:",
        "MS NCE PROJECT PLAN 3 1 YR COMMIT MONTHLY",
        "PROJECT-P3-ANNUAL",
        "48.60",
        "58.30",
    ),
    _p("azure-plan", "Azure plan (usage)", "DZH318Z0BPS6:0001", "MS AZURE PLAN USAGE", "AZURE-PLAN", "0.00", "0.00"),
)
