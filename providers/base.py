"""The provider contract. Base classes own the workflow; plug-ins fill in named hooks.

Order of calls in a run:

1. The engine builds a provider with `from_config(config, context)`; secrets are resolved
   there (missing `env:` variables raise ConfigError naming the variable).
2. `SourceProvider.read(scope)` returns a complete Inventory or raises SourceError. It never
   returns an empty or partial inventory for a failed read: the engine must be able to tell
   "no seats" from "could not read".
3. `TargetProvider.read(scope)` returns a PsaState with the companies, agreements/contracts,
   managed lines and catalogue prices of the clients in scope, or raises ProviderError.
4. Once the changes are planned, `request_forecast(changes, reads=...)` says what applying
   them costs in requests (shown in the plan; an Autotask apply over `psa.max_request_share`
   of the database's hourly threshold is refused like a safety guard).
5. For `apply`, `TargetProvider.write(change)` is called once per change; the changes of
   one licence (one product on one agreement) in the plan's order, one after the other.
   With `write_parallelism` above 1 the writes of different licences come from that many
   threads at once, so `write` must be thread-safe and keep within the vendor's limits on
   requests at once. It performs exactly the writes the change describes and returns the
   PSA record id. It must not retry a create blindly; on an unclear outcome (a lost answer,
   a timeout, an answer without the new record's id) it raises UncertainWriteError, and the
   engine re-reads the licence with `read` to journal what really happened.

`ncesync doctor` calls only `diagnose(scope)` (after `from_config`): read-only checks of the
credentials, permissions, mapped records and request budget, each a Check with its fix. It
must not write, and reports a failed call as a failed Check rather than raising.

Overrides must not print; they log with `logging.getLogger(__name__)` and never log secrets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from reconciler.errors import ConfigError
from reconciler.model import (
    Agreement,
    Check,
    Inventory,
    ProviderConfig,
    PsaState,
    RequestForecast,
    Scope,
)

if TYPE_CHECKING:
    from reconciler.change import Change


@dataclass(frozen=True)
class ProviderContext:
    """What the engine hands a provider besides its own config block."""

    root: str  # the deployment folder
    timezone: str
    environ: dict[str, str] = field(default_factory=dict)  # where env: references resolve
    sandbox_url: str | None = None  # base URL of the embedded sandbox when endpoint == sandbox


def sandbox_endpoint(context: ProviderContext, vendor: str, block: str) -> tuple[str, dict[str, str]]:
    """Base URL and credentials of `vendor` in the embedded sandbox, for `endpoint: sandbox`.

    The sandbox's demo credentials are not secrets; real endpoints resolve `env:` references.
    """
    if not context.sandbox_url:
        raise ConfigError(f"{block}.endpoint is sandbox but no sandbox is running")
    # Imported here: the sandbox is optional at run time for real deployments.
    from providers.sandbox.credentials import SANDBOX_CREDENTIALS

    return f"{context.sandbox_url.rstrip('/')}/{vendor}", dict(SANDBOX_CREDENTIALS[vendor])


@dataclass(frozen=True)
class WriteResult:
    record_id: int | str | None
    detail: str = ""
    note: str = ""  # how the outcome is known when the vendor's answer was lost (journaled)


@dataclass(frozen=True)
class CompanyInfo:
    """A PSA company with its active agreements (ConnectWise) or contracts (Autotask)."""

    id: int
    name: str
    agreements: tuple[Agreement, ...] = ()


class Provider(ABC):
    name: ClassVar[str] = ""

    @classmethod
    @abstractmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> "Provider":
        """Build the provider from its spec block; resolve secrets here."""

    def request_counts(self) -> dict[str, int]:
        """Requests made so far, per endpoint label (for benchmarks and budgets)."""
        return {}

    def diagnose(self, scope: Scope) -> list[Check]:
        """Optional hook for `ncesync doctor`: read-only checks, each with its fix."""
        return [Check(f"{self.name} checks", True, f"the {self.name} provider offers no doctor checks")]


class SourceProvider(Provider):
    """Reads the source of truth (Dicker Data)."""

    @abstractmethod
    def read(self, scope: Scope) -> Inventory:
        """A complete inventory for the tenants in scope; raise SourceError otherwise."""


class TargetProvider(Provider):
    """Reads and writes the PSA."""

    kind: ClassVar[str] = ""  # "connectwise" | "autotask": selects the billing realisation
    sync_types: ClassVar[frozenset[str]] = frozenset({"daily"})
    description_limit: ClassVar[int] = 6000  # invoice description length the PSA accepts
    # Monthly sync: how far back `read` sees the lines it copied (None: without limit). An
    # invoice older than that is refused, since its copies could not be recognised.
    charge_lookback: timedelta | None = None
    # Writes of different licences `apply` may send at once (see step 5 above).
    write_parallelism: int = 1

    @abstractmethod
    def read(self, scope: Scope) -> PsaState:
        """The PSA state of the clients in scope."""

    @abstractmethod
    def write(self, change: "Change") -> WriteResult:
        """Perform one change. Raise ProviderError with the vendor's text on failure."""

    def request_forecast(self, changes: Sequence["Change"], *, reads: int) -> RequestForecast:
        """What applying `changes` costs in requests to this PSA: `reads` (what this run's
        read made: apply reads again) and one write per change. A provider whose writes need
        look-ups, or whose vendor limits requests an hour, says so too."""
        return RequestForecast(reads=reads, writes=len(changes))

    def companies(self) -> dict[int, CompanyInfo]:
        """Optional hook for `ncesync automap`: every company of the PSA, by id, with its
        active agreements/contracts. A read only; a partial read raises ProviderError."""
        raise NotImplementedError(
            f"the {self.name} provider cannot list PSA companies, so automap is not available "
            "for it; write specs/clients/*.yaml by hand"
        )

    def tenant_key(self) -> str:
        """Identifies the PSA tenant, for the apply lock (one apply at a time per tenant)."""
        return self.name

    def describe(self) -> dict[str, Any]:
        return {"provider": self.name}
