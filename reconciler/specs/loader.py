"""Load a deployment folder: every problem at once, or a typed Deployment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from reconciler.errors import Problem, SpecError
from reconciler.model.specs import (
    DESCRIPTION_DEFAULT,
    DESCRIPTION_OFF,
    BillingStyle,
    ClientMapping,
    Deployment,
    LicenceOverride,
    ProductMapping,
    ProviderConfig,
    ReviewSettings,
    SafetySettings,
    Settings,
)
from reconciler.specs import crossref
from reconciler.specs.schema import schema_problems
from reconciler.specs.yamlfile import YamlDocument, load_yaml

SPECS = "specs"


class SpecFiles:
    """The parsed files of one deployment, with their problems so far."""

    def __init__(self, root: Path):
        self.root = root
        self.settings = self._load(root / SPECS / "settings.yaml", "settings")
        self.products = self._load(root / SPECS / "products.yaml", "products")
        self.folder_problems: list[Problem] = []
        self.clients = [self._load(p, "client") for p in self._client_paths(root / SPECS / "clients")]

    def _client_paths(self, folder: Path) -> list[Path]:
        """The client files: `*.yaml` and `*.yml` in specs/clients/, except hidden ones (an
        editor's lock or backup, macOS's `._` files). No folder: no clients yet. A folder
        that cannot be listed is a problem, never "no clients" (every customer would then
        read as unmapped, and an apply would do nothing and say all is well)."""
        if not os.path.lexists(folder):
            return []
        try:
            names = [entry.name for entry in os.scandir(folder)]
        except OSError as exc:
            display = os.path.relpath(folder, Path.cwd()) if folder.is_absolute() else str(folder)
            why = "it is not a folder" if isinstance(exc, NotADirectoryError) else exc.strerror or type(exc).__name__
            self.folder_problems.append(
                Problem(display, 1, 1, "", f"cannot list the client files: {why}; make it a readable folder")
            )
            return []
        chosen = [n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]
        return [folder / n for n in sorted(chosen, key=lambda n: (n.endswith(".yml"), n))]

    def _load(self, path: Path, schema: str) -> YamlDocument:
        display = os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
        if not path.exists():
            doc = YamlDocument(file=display)
            doc.problems.append(
                Problem(display, 1, 1, "", "file not found (run `ncesync sandbox init` for a starting point)")
            )
            return doc
        doc = load_yaml(path, display)
        if doc.data is not None and not doc.problems:
            if not isinstance(doc.data, dict):
                doc.problems.append(doc.problem("", "the top level must be a mapping of settings"))
            else:
                doc.problems += schema_problems(doc, schema)
        return doc

    @property
    def documents(self) -> list[YamlDocument]:
        return [self.settings, self.products, *self.clients]

    def problems(self, *, environ: Mapping[str, str] | None = None) -> list[Problem]:
        problems = [*self.folder_problems, *(p for d in self.documents for p in d.problems)]
        if not self.settings.problems:
            problems += crossref.settings_problems(self.settings)
            problems += crossref.notify_problems(self.settings, self.root)
            if environ is not None:
                problems += crossref.env_problems(self.settings, environ)
        keys: set[str] = set()
        if not self.products.problems:
            problems += crossref.product_problems(self.products)
            keys = set(self.products.data["products"])
        clean = [d for d in self.clients if not d.problems]
        problems += crossref.client_problems(clean, keys if not self.products.problems else _loose_keys(self.products))
        return problems


def _loose_keys(doc: YamlDocument) -> set[str]:
    data = doc.data if isinstance(doc.data, dict) else {}
    products = data.get("products")
    return set(products) if isinstance(products, dict) else set()


def validate_deployment(root: Path, *, environ: Mapping[str, str] | None = None) -> tuple[SpecFiles, list[Problem]]:
    files = SpecFiles(root)
    return files, sorted(files.problems(environ=environ), key=lambda p: (p.file, p.line, p.column))


def load_deployment(root: Path) -> Deployment:
    """The typed deployment; raise SpecError with every problem when the specs are invalid."""
    files, problems = validate_deployment(root)
    if problems:
        raise SpecError(problems)
    settings = _settings(files.settings.data)
    return Deployment(
        root=root,
        settings=settings,
        products={k: _product(k, v) for k, v in files.products.data["products"].items()},
        clients=tuple(_client(d.file, d.data, settings) for d in files.clients),
    )


def _provider(block: dict[str, Any]) -> ProviderConfig:
    options = {k: v for k, v in block.items() if k not in ("provider", "endpoint")}
    return ProviderConfig(name=block["provider"], endpoint=block["endpoint"], options=options)


def _billing(block: dict[str, Any] | None, default: BillingStyle = BillingStyle()) -> BillingStyle:
    block = block or {}
    return BillingStyle(style=block.get("style", default.style), prorate=block.get("prorate", default.prorate))


def _safety(block: dict[str, Any] | None, default: SafetySettings = SafetySettings()) -> SafetySettings:
    block = block or {}
    runrate = block.get("max_runrate_change", default.max_runrate_change)
    return SafetySettings(
        max_decrease_percent=Decimal(str(block.get("max_decrease_percent", default.max_decrease_percent))),
        min_seats=int(block.get("min_seats", default.min_seats)),
        max_runrate_change=None if runrate is None else Decimal(str(runrate)),
        max_licence_change=int(block.get("max_licence_change", default.max_licence_change)),
        max_licence_factor=Decimal(str(block.get("max_licence_factor", default.max_licence_factor))),
    )


def _settings(data: dict[str, Any]) -> Settings:
    template = data.get("invoice_description")
    return Settings(
        sync_type=data["sync"]["type"],
        timezone=data["sync"]["timezone"],
        psa=_provider(data["psa"]),
        source=_provider(data["source"]),
        billing=_billing(data.get("billing")),
        invoice_description=None if template in (None, DESCRIPTION_OFF) else template,
        safety=_safety(data.get("safety")),
        sandbox_world=(data.get("sandbox") or {}).get("world"),
        sandbox_date=(data.get("sandbox") or {}).get("date"),
        review=_review(data.get("review")),
        follow_cost=data.get("unit_cost", "follow") == "follow",
        notify=tuple(data.get("notify") or ()),
    )


def _review(block: dict[str, Any] | None) -> ReviewSettings:
    block, default = block or {}, ReviewSettings()
    return ReviewSettings(
        seat_change_percent=Decimal(str(block.get("seat_change_percent", default.seat_change_percent))),
        seat_change_count=int(block.get("seat_change_count", default.seat_change_count)),
        min_seats=int(block.get("min_seats", default.min_seats)),
        min_margin_percent=Decimal(str(block.get("min_margin_percent", default.min_margin_percent))),
    )


def _product(key: str, data: dict[str, Any]) -> ProductMapping:
    price = data.get("price")
    return ProductMapping(
        key=key,
        name=data["name"],
        stock_codes=tuple(str(c) for c in data["stock_codes"]),
        psa_product=str(data["psa_product"]),
        price=None if price is None else Decimal(str(price)),
        profile=data.get("profile"),
        protect=bool(data.get("protect", False)),
        active=bool(data.get("active", True)),
        count_trials=bool(data.get("count_trials", False)),
    )


def _psa_id(value: Any) -> Any:
    """A PSA id as one spelling: a number as it is, a UUID (Xero's) in lower case, as Xero
    sends it; two client files writing one id in two cases name the same agreement."""
    return value.lower() if isinstance(value, str) else value


def _client(file: str, data: dict[str, Any], settings: Settings) -> ClientMapping:
    """A client mapping; its overrides are merged over the company settings."""
    description = data.get("invoice_description", DESCRIPTION_DEFAULT)
    custom = description not in (DESCRIPTION_DEFAULT, DESCRIPTION_OFF)
    return ClientMapping(
        file=file,
        name=data["name"],
        dd_customer_id=data["dd_customer_id"],
        psa_company_id=_psa_id(data["psa_company_id"]),
        agreement_id=_psa_id(data["agreement_id"]),
        active=bool(data.get("active", True)),
        billing=None if "billing" not in data else _billing(data["billing"], settings.billing),
        description_mode="custom" if custom else description,
        description_template=description if custom else None,
        exclude_stock_codes=tuple(data.get("exclude_stock_codes") or ()),
        licences=tuple(
            LicenceOverride(k, _psa_id((v or {}).get("agreement_id"))) for k, v in (data.get("licences") or {}).items()
        ),
        safety=None if "safety" not in data else _safety(data["safety"], settings.safety),
    )
