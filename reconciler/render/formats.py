"""Turn plan data into text for people (terminal, Markdown) or machines (JSON)."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from reconciler.change import SYMBOL
from reconciler.render import markdown
from reconciler.render.money import money, seats, signed, signed_money

FORMATS = ("text", "json", "markdown")

_env = Environment(
    loader=PackageLoader("reconciler.render", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters.update(money=money, signed_money=signed_money, signed=signed, seats=seats, cell=markdown.cell)
_env.globals.update(symbol=SYMBOL)


def by_client(data: dict[str, Any]) -> "OrderedDict[str, dict[str, Any]]":
    """Changes, errors and warnings gathered per client, in the plan's order."""
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def slot(client_id: str | None, name: str | None) -> dict[str, Any]:
        key = client_id or ""
        if key not in groups:
            groups[key] = {"id": key, "name": name or "(no client)", "changes": [], "errors": [], "warnings": []}
        return groups[key]

    for change in data["changes"]:
        slot(change["client_id"], change["client_name"])["changes"].append(change)
    for error in data["errors"]:
        slot(error.get("client_id"), error.get("client_name"))["errors"].append(error)
    for warning in data["warnings"]:
        slot(warning.get("client_id"), warning.get("client_name"))["warnings"].append(warning)
    return groups


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    if fmt == "markdown":
        return markdown.fit(_env.get_template("plan.md.j2"), data, markdown.client_groups(data, by_client(data)))
    template = _env.get_template(f"plan.{ 'md' if fmt == 'markdown' else 'txt' }.j2")
    return template.render(plan=data, clients=by_client(data), totals=data["totals"])


def render_template(name: str, **context: Any) -> str:
    """Render another of templates/ (a report) with the same filters as the plan."""
    return _env.get_template(name).render(**context)
