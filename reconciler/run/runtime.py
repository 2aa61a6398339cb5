"""One run's live parts: the providers, and the embedded sandbox when specs point at it.

`Runtime` is a context manager: it starts the sandbox (if any provider block says
`endpoint: sandbox`) on a loopback port, builds the source and target providers from their
spec blocks, and stops the sandbox on exit (which also flushes its world file).
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.errors import ConfigError
from reconciler.model import Deployment, ProviderConfig
from reconciler.provider import ProviderContext, SourceProvider, TargetProvider
from reconciler.run.plugins import provider_class, sandbox_starter

log = logging.getLogger(__name__)

SANDBOX_URL_VARIABLE = "NCESYNC_SANDBOX_URL"  # use an already-running sandbox (tests, serve)
# The sync dates ncesync plans for. Billing periods and vendor reads reach months either side
# of the date, so a far-off one (a typo such as 9999-12-31) is refused up front, with a
# message, instead of failing deep in date arithmetic.
EARLIEST_SYNC_DATE = date(2000, 1, 1)
LATEST_SYNC_DATE = date(2099, 12, 31)


def today_in(timezone: str) -> date:
    """The sync date: today's calendar date in the MSP's time zone, never UTC by accident."""
    return datetime.now(ZoneInfo(timezone)).date()


def sync_date_for(deployment: Deployment, given: datetime | None) -> date:
    """--date, else the day a sandbox world was made for (`sandbox: {date: ...}`: an example
    then reads the same on any day), else today in the MSP's time zone."""
    settings = deployment.settings
    if given is not None:
        return given.date()
    if settings.sandbox_date and (settings.psa.is_sandbox or settings.source.is_sandbox):
        return date.fromisoformat(settings.sandbox_date)
    return today_in(settings.timezone)


class Runtime(AbstractContextManager["Runtime"]):
    def __init__(
        self,
        deployment: Deployment,
        *,
        sync_date: date,
        environ: dict[str, str] | None = None,
        parallelism: int | None = None,
    ):
        self.deployment = deployment
        self.parallelism = parallelism  # --parallelism: overrides psa.parallelism
        self.sync_date = sync_date
        self.environ = dict(os.environ if environ is None else environ)
        self._sandbox: Any = None
        self.sandbox_url: str | None = None
        self.source: SourceProvider
        self.target: TargetProvider

    def __enter__(self) -> Runtime:
        settings = self.deployment.settings
        if settings.psa.is_sandbox or settings.source.is_sandbox:
            self.sandbox_url = self._start_sandbox()
        context = ProviderContext(
            root=str(self.deployment.root),
            timezone=settings.timezone,
            environ=self.environ,
            sandbox_url=self.sandbox_url,
        )
        self.source = _built(SourceProvider, "source", settings.source, context)
        psa = settings.psa
        if self.parallelism is not None:
            psa = replace(psa, options={**psa.options, "parallelism": self.parallelism})
        self.target = _built(TargetProvider, "psa", psa, context)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    def _start_sandbox(self) -> str:
        external = self.environ.get(SANDBOX_URL_VARIABLE)
        if external:
            return external.rstrip("/")
        world_rel = self.deployment.settings.sandbox_world
        if not world_rel:
            raise ConfigError("a provider says `endpoint: sandbox` but settings.yaml has no `sandbox: {world: ...}`")
        self._sandbox = sandbox_starter()(Path(self.deployment.root), world_rel, self.sync_date)
        return str(self._sandbox.url)


def _built(role: Any, block: str, config: ProviderConfig, context: ProviderContext) -> Any:
    """The provider of a spec block, checked to be able to play that block's role."""
    cls = provider_class(config.name)
    if not issubclass(cls, role):
        raise ConfigError(
            f"{block}.provider {config.name!r} cannot be used as the {block} (it is not a {role.__name__})"
        )
    return cls.from_config(config, context)
