"""Pure billing rules (billing.md sections 3 and 4): desired counts, the comparison date and
periods, the decision for one licence by seat model, moved days, monthly copies of invoice
lines. Nothing here does I/O."""
