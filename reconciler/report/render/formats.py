"""Turn plan data into text for people (terminal, Markdown) or machines (JSON)."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from reconciler.money import money, nonzero, signed_money
from reconciler.report.render import markdown, rows
from reconciler.report.render.quantities import percent, seats, signed

FORMATS = ("text", "json", "markdown")

_env = Environment(
    loader=PackageLoader("reconciler.report.render", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters.update(
    money=money,
    signed_money=signed_money,
    signed=signed,
    seats=seats,
    cell=markdown.cell,
    percent=percent,
    nonzero=nonzero,
)


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    clients = rows.client_groups(data)
    if fmt == "markdown":
        return markdown.fit(_env.get_template("plan.md.j2"), data, clients)
    return _env.get_template("plan.txt.j2").render(
        plan=data,
        clients=clients,
        totals=data["totals"],
        changed=rows.clients_with_changes(data),
        review=rows.review_items(clients),
    )


def render_template(name: str, **context: Any) -> str:
    """Render another of templates/ (a report) with the same filters as the plan."""
    return _env.get_template(name).render(**context)
