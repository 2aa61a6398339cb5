"""Progress lines on stderr for long runs: one per phase of a plan, one per client applied.

Runs over `PROGRESS_FROM` clients show them unless `--quiet`; results stay on stdout.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import click

from reconciler.plan.change import Change
from reconciler.plan.plan import ClientSummary
from reconciler.provider import ChangeWriter, WriteResult
from reconciler.run.job import PROGRESS_FROM


class Progress:
    def __init__(self, *, quiet: bool):
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def writes(
        self, target: ChangeWriter, changes: Sequence[Change], names: Mapping[str, ClientSummary]
    ) -> ChangeWriter:
        """`target`, announcing each client as its first write starts, when the run covers
        more than PROGRESS_FROM clients (`names`: the plan's clients, changed or not)."""
        clients = list(dict.fromkeys(c.client_id for c in changes))
        if self.quiet or len(names) <= PROGRESS_FROM:
            return target
        return _Announcing(target, clients, names, self)


class _Announcing:
    """Forwards everything to the target; `write` first names a client it has not seen
    (once, also when the writes of several clients are sent side by side)."""

    def __init__(self, target: ChangeWriter, clients: list[str], names: Mapping[str, ClientSummary], echo: Progress):
        self._target = target
        self._order = {client: i + 1 for i, client in enumerate(clients)}
        self._names = names
        self._echo = echo
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def write(self, change: Change) -> WriteResult:
        with self._lock:
            first = change.client_id not in self._seen
            self._seen.add(change.client_id)
        if first:
            name = self._names[change.client_id].name if change.client_id in self._names else change.client_id
            self._echo(f"apply: [{self._order[change.client_id]}/{len(self._order)}] {name}")
        return self._target.write(change)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)
