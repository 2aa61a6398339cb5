"""Pure billing rules (billing.md section 3): desired counts, per-licence decisions, periods,
and money. Nothing here does I/O."""

from reconciler.billing.daily import LicenceInput, LicenceOutcome, plan_licence
from reconciler.billing.desired import desired_count
from reconciler.billing.periods import comparison_date, next_period_start, period_containing

__all__ = [
    "LicenceInput",
    "LicenceOutcome",
    "comparison_date",
    "desired_count",
    "next_period_start",
    "period_containing",
    "plan_licence",
]
