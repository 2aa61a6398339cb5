"""Route table of one emulated vendor: method + path pattern -> handler and counter label."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from providers.sandbox.exchange import Reply, Request

Handler = Callable[[Request], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # like /finance/agreements/{id}/additions
    handler: Handler
    write: bool = False  # changes the world: counted for write faults and persisted

    def regex(self, ignore_case: bool) -> re.Pattern[str]:
        body = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.pattern))
        return re.compile(f"^{body}/?$", re.IGNORECASE if ignore_case else 0)


class Router:
    """Matches requests to routes. `ignore_case` for vendors whose paths are case-insensitive."""

    def __init__(self, vendor: str, routes: list[Route], *, ignore_case: bool = False):
        self.vendor = vendor
        self._routes = [(r, r.regex(ignore_case)) for r in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, regex in self._routes:
            found = regex.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def label(self, method: str, path: str) -> str:
        """Counter label: ids replaced by the route's placeholders."""
        matched = self.match(method, path)
        shown = matched[0].pattern if matched else "(unmatched)"
        return f"{method} {self.vendor} {shown}"
