"""Pure billing rules (billing.md section 3): desired counts, per-licence decisions, periods,
money, and the invoice simulation. Nothing here does I/O."""

from reconciler.billing.daily import LicenceInput, LicenceOutcome, plan_licence
from reconciler.billing.desired import desired_count
from reconciler.billing.invoice import LineVersion, invoice_for_period, versions_from_history
from reconciler.billing.periods import comparison_date, next_period_start, period_containing

__all__ = [
    "LicenceInput",
    "LicenceOutcome",
    "LineVersion",
    "comparison_date",
    "desired_count",
    "invoice_for_period",
    "next_period_start",
    "period_containing",
    "plan_licence",
    "versions_from_history",
]
