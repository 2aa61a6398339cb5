"""Totals of a monthly plan per Dicker Data invoice and per client (the plan's `invoices`).

For each invoice: the mapped lines of the clients in scope, how many are still to copy and
how many are already in the PSA, their billable amount (what the customer is invoiced) and
Dicker Data's cost, in total and per client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.model import ClientMapping, InvoiceLine
from reconciler.money import money_text
from reconciler.plan.change import Change

ZERO = Decimal("0.00")


@dataclass
class Tally:
    lines: int = 0
    to_copy: int = 0
    copied: int = 0
    billable: Decimal = ZERO
    billable_to_copy: Decimal = ZERO
    cost: Decimal = ZERO

    def add(self, amount: Decimal, cost: Decimal, *, copied: bool, held: bool) -> None:
        """Count a line; `held` lines (their client is refused) are neither copied nor to copy."""
        self.lines += 1
        self.billable += amount
        self.cost += cost
        if copied:
            self.copied += 1
        elif not held:
            self.to_copy += 1
            self.billable_to_copy += amount

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "to_copy": self.to_copy,
            "copied": self.copied,
            "billable": money_text(self.billable),
            "billable_to_copy": money_text(self.billable_to_copy),
            "cost": money_text(self.cost),
        }


@dataclass
class InvoiceTally:
    number: str
    date: date
    total: Tally = field(default_factory=Tally)
    clients: dict[str, tuple[str, Tally]] = field(default_factory=dict)  # id -> (name, tally)


class InvoiceTotals:
    """Collects the totals while the plan is built, in invoice order."""

    def __init__(self) -> None:
        self._invoices: dict[str, InvoiceTally] = {}

    def invoice(self, number: str, day: date) -> None:
        self._invoices.setdefault(number, InvoiceTally(number, day))

    def numbers(self) -> list[str]:
        return list(self._invoices)

    def add(
        self, client: ClientMapping, line: InvoiceLine, change: Change, *, copied: bool, held: bool = False
    ) -> None:
        """Count one mapped line; `change` is the copy as it is (or would be) written."""
        tally = self._invoices[line.invoice_number]
        amount = Decimal(change.after["billable_amount"])
        cost = Decimal(change.after["unit_cost"]) * line.quantity
        tally.total.add(amount, cost, copied=copied, held=held)
        per_client = tally.clients.setdefault(client.dd_customer_id, (client.name, Tally()))[1]
        per_client.add(amount, cost, copied=copied, held=held)

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {
                "number": t.number,
                "date": t.date.isoformat(),
                **t.total.to_json(),
                "clients": [
                    {"client_id": client_id, "name": name, **tally.to_json()}
                    for client_id, (name, tally) in t.clients.items()
                ],
            }
            for t in self._invoices.values()
        ]
