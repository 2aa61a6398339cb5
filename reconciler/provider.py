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
   them costs in requests (shown in the plan; an apply over `psa.max_request_share` of a
   PSA's hourly request threshold is refused like a safety guard).
5. For `apply`, `TargetProvider.write(change)` is called once per change; the changes of
   one licence (one product on one agreement) in the plan's order, one after the other.
   With `write_parallelism` above 1 the writes of different licences come from that many
   threads at once, so `write` must be thread-safe and keep within the vendor's limits on
   requests at once. It performs exactly the writes the change describes and returns the
   PSA record id. It must not retry a create blindly; on an unclear outcome (a lost answer,
   a timeout, an answer without the new record's id) it raises UncertainWriteError, and the
   engine re-reads the licence with `read` to journal what really happened.

What a target can do is declared, not inferred from its name: `TargetProvider.capabilities`
says how seat counts change (the seat model, with and without proration), where proration
comes from, whether the PSA takes one dated change per line and date, whether periods get
posted, the invoice-description limit, the sync types and the words the PSA uses. The
billing rules are organised by seat model; a new PSA whose model matches one of these needs
no change in the engine.

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
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from reconciler.model import (
    Agreement,
    Check,
    Inventory,
    ProviderConfig,
    PsaId,
    PsaState,
    RequestForecast,
    Scope,
)

if TYPE_CHECKING:
    from reconciler.plan.change import Change


@dataclass(frozen=True)
class ProviderContext:
    """What the engine hands a provider besides its own config block."""

    root: str  # the deployment folder
    timezone: str
    environ: dict[str, str] = field(default_factory=dict)  # where env: references resolve
    sandbox_url: str | None = None  # base URL of the embedded sandbox when endpoint == sandbox


class SeatModel(str, Enum):
    """How a PSA line's seat count changes (billing.md 3.2)."""

    QUANTITY = "quantity"  # the main line's count is set to n
    DELTA_LINES = "delta_lines"  # a dated line of n - E is added; the PSA prorates it
    # create-only adjustments of n - E, dated t*; without proration t* is a period start
    # (the next one in advance, the current unposted one in arrears)
    DATED_ADJUSTMENTS = "dated_adjustments"
    # the main line's count is set to n, and a one-off catch-up charge settles the days of
    # the current period that the PSA's whole-period invoice bills at the other count
    QUANTITY_WITH_CATCH_UP = "quantity_with_catch_up"


class ProrateSource(str, Enum):
    """Where a licence's proration comes from."""

    AGREEMENT = "agreement"  # each agreement's own flag (`Agreement.prorate`)
    SETTING = "setting"  # `billing.prorate` in settings.yaml, overridable per client


@dataclass(frozen=True)
class Words:
    """What the PSA calls things, for plans, errors and the journal."""

    psa: str = "the PSA"  # its name, as users know it
    agreement: str = "agreement"  # what lines live on: "contract"
    line: str = "line"  # a line: "addition", "contract service"


@dataclass(frozen=True)
class Capabilities:
    """What a target PSA does; the billing rules read this, never the PSA's name."""

    seat_model: SeatModel = SeatModel.QUANTITY  # without proration
    prorated_seat_model: SeatModel = SeatModel.DELTA_LINES  # with proration
    prorate_source: ProrateSource = ProrateSource.SETTING
    # The PSA refuses a second dated change of one line on one date (and cannot edit one):
    # a follow-up is moved to the next free day (see billing/moved_days.py).
    one_dated_change_per_line_and_date: bool = False
    posted_periods: bool = False  # periods get approved and posted, and then take no change
    description_limit: int = 6000  # invoice description length the PSA accepts
    sync_types: frozenset[str] = frozenset({"daily"})
    # Monthly sync on a prorating agreement: the PSA would bill a one-day copy of an invoice
    # line as a fraction of a period, so such agreements are refused.
    prorate_splits_one_off_lines: bool = False
    # The PSA's lines carry a unit cost. False (an accounting system's invoice lines have
    # none): ncesync neither writes costs nor compares them, so no cost drift is planned.
    line_costs: bool = True
    words: Words = Words()

    def seat_model_for(self, prorate: bool) -> SeatModel:
        return self.prorated_seat_model if prorate else self.seat_model


class ChangeWriter(Protocol):
    """What apply writes through: a target provider, or a wrapper around one (the journal's
    confirmation of lost answers, progress lines, a stop between writes)."""

    def write(self, change: Change) -> WriteResult: ...


class EmbeddedSandbox(Protocol):
    """An emulation of the vendors' APIs the engine starts for `endpoint: sandbox` (the
    `ncesync.sandbox` entry point `embedded`: a function (root, world file, clock) -> this).
    Providers talk to it over HTTP at `url`; `stop` also saves its world."""

    url: str

    def stop(self) -> None: ...


@dataclass(frozen=True)
class WriteResult:
    record_id: int | str | None
    detail: str = ""
    note: str = ""  # how the outcome is known when the vendor's answer was lost (journaled)


@dataclass(frozen=True)
class CompanyInfo:
    """A PSA company with its active agreements (or what the PSA calls them)."""

    id: PsaId
    name: str
    agreements: tuple[Agreement, ...] = ()


class Provider(ABC):
    name: ClassVar[str] = ""
    # JSON Schema (draft 2020-12) of the provider's settings block (`psa:` or `source:`),
    # for a plug-in: `ncesync validate` checks the block against it. The providers ncesync
    # ships are described in schemas/settings.schema.json instead.
    settings_schema: ClassVar[dict[str, Any] | None] = None

    @classmethod
    @abstractmethod
    def from_config(cls, config: ProviderConfig, context: ProviderContext) -> Provider:
        """Build the provider from its spec block; resolve secrets here."""

    def request_counts(self) -> dict[str, int]:
        """Requests made so far, per endpoint label (for benchmarks and budgets)."""
        return {}

    def diagnose(self, scope: Scope) -> list[Check]:
        """Optional hook for `ncesync doctor`: read-only checks, each with its fix."""
        return [Check(f"{self.name} checks", True, f"the {self.name} provider offers no doctor checks")]


class SourceProvider(Provider):
    """Reads the source of truth (the distributor's subscriptions and invoices)."""

    @abstractmethod
    def read(self, scope: Scope) -> Inventory:
        """A complete inventory for the tenants in scope; raise SourceError otherwise."""


class TargetProvider(Provider):
    """Reads and writes the PSA."""

    capabilities: ClassVar[Capabilities] = Capabilities()
    # Monthly sync: how far back `read` sees the lines it copied (None: without limit). An
    # invoice older than that is refused, since its copies could not be recognised.
    charge_lookback: timedelta | None = None

    @property
    def write_parallelism(self) -> int:
        """Writes of different licences `apply` may send at once (see step 5 above)."""
        return 1

    @abstractmethod
    def read(self, scope: Scope) -> PsaState:
        """The PSA state of the clients in scope."""

    @abstractmethod
    def write(self, change: Change) -> WriteResult:
        """Perform one change. Raise ProviderError with the vendor's text on failure."""

    def request_forecast(self, changes: Sequence[Change], *, reads: int) -> RequestForecast:
        """What applying `changes` costs in requests to this PSA: `reads` (what this run's
        read made: apply reads again) and one write per change. A provider whose writes need
        look-ups, or whose vendor limits requests an hour, says so too."""
        return RequestForecast(reads=reads, writes=len(changes))

    def companies(self) -> dict[PsaId, CompanyInfo]:
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
