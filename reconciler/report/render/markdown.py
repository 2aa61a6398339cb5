"""The Markdown plan: a pull-request comment that stays under the comment size limit.

GitHub refuses comments over 65,536 characters, so the plan is fitted to `LIMIT`: every
client gets a folded section while they fit, the rest become one summary row each, and
whatever still does not fit is counted in a closing note. Totals, refusals, errors and
warnings come first, so a cut never hides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jinja2 import Template
from markupsafe import escape

LIMIT = 60_000  # characters; GitHub's hard limit for a comment is 65,536
MARKER = "<!-- ncesync-plan -->"  # lets CI find its own comment and update it in place
MAX_ISSUES = 40  # errors (and, separately, warnings) listed before "and N more"
MAX_ROWS = 150  # change rows in one client's table before "and N more"
CELL_WIDTH = 240  # characters of one table cell


@dataclass
class Layout:
    """Which clients are shown in full, which as a summary row, and how many are left out."""

    detailed: list[dict[str, Any]] = field(default_factory=list)
    summarised: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0


def cell(value: Any, width: int = CELL_WIDTH) -> str:
    """Text safe inside a Markdown table cell: one line, no pipes, no HTML, bounded length."""
    text = " ".join(str(value).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return str(escape(text)).replace("|", "\\|")


def seat_totals(data: dict[str, Any]) -> dict[str, int]:
    """Seats the PSA bills and seats Dicker Data counts, over the clients in the plan."""
    psa = sum(int(c.get("seats_psa") or 0) for c in data.get("clients", {}).values())
    dd = sum(int(c.get("seats_dicker_data") or 0) for c in data.get("clients", {}).values())
    return {"psa": psa, "dicker_data": dd, "change": dd - psa}


def unmapped_totals(data: dict[str, Any]) -> dict[str, Any]:
    """Counts, seats and Dicker Data's monthly cost of the plan's unmapped items."""
    totals: dict[str, Any] = {"customers": 0, "customer_seats": 0, "stock_codes": 0, "stock_code_seats": 0}
    cost = Decimal("0.00")
    for item in data.get("unmapped", []):
        kind = "customer" if item["kind"] == "customer" else "stock_code"
        totals[f"{kind}s"] += 1
        totals[f"{kind}_seats"] += int(item.get("seats") or 0)
        cost += Decimal(item.get("monthly_cost") or "0")
    totals["monthly_cost"] = str(cost)
    return totals


def fit(template: Template, data: dict[str, Any], clients: list[dict[str, Any]], limit: int = LIMIT) -> str:
    """Render `template` with as much per-client detail as `limit` characters allow."""
    context = {
        "plan": data,
        "totals": data["totals"],
        "seats": seat_totals(data),
        "unmapped": unmapped_totals(data),
        "marker": MARKER,
        "changed": len({c["client_id"] for c in data["changes"]}),
        "review": [item for client in clients for item in client["review"]],
        "max_issues": MAX_ISSUES,
        "max_rows": MAX_ROWS,
    }
    macros = template.make_module(dict(context, layout=Layout()))
    base = len(template.render(context, layout=Layout(omitted=len(clients))))
    layout = _layout(clients, limit - base, macros)
    text = template.render(context, layout=layout)
    if len(text) > limit:  # only when the fixed parts alone are too long; never exceed
        note = "\n\n_The plan is too long for one comment and was cut here; see the plan JSON._\n"
        text = text[: limit - len(note)] + note
    return text


def _layout(clients: list[dict[str, Any]], budget: int, macros: Any) -> Layout:
    layout = Layout()
    sections = [len(str(macros.client_section(c))) for c in clients]
    rows = [len(str(macros.client_row(c))) for c in clients]
    budget -= 400  # the summary table's header and the closing note
    for i, client in enumerate(clients):
        if not layout.summarised and sections[i] + sum(rows[i + 1 :]) <= budget:
            layout.detailed.append(client)
            budget -= sections[i]
        elif rows[i] <= budget:
            layout.summarised.append(client)
            budget -= rows[i]
        else:
            layout.omitted = len(clients) - i
            break
    return layout
