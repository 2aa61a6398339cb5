"""Checks that no single schema can make: across files, and of what values mean."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, TemplateSyntaxError
from jsonschema import Draft202012Validator

from reconciler.billing.description import DescriptionTemplate
from reconciler.errors import ConfigError, Problem
from reconciler.model.specs import DESCRIPTION_DEFAULT, DESCRIPTION_OFF
from reconciler.model.stockcode import StockCode
from reconciler.provider import SourceProvider, TargetProvider
from reconciler.run.plugins import provider_class
from reconciler.secrets import env_name
from reconciler.specs.yamlfile import YamlDocument, escape


def settings_problems(doc: YamlDocument) -> list[Problem]:
    data = doc.data
    problems = []
    zones = (
        ("/sync/timezone", data.get("sync", {}).get("timezone")),
        ("/psa/database_timezone", (data.get("psa") or {}).get("database_timezone")),
    )
    for pointer, tz in zones:
        if isinstance(tz, str):
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(
                    doc.problem(pointer, f"unknown time zone {tz!r} (use an IANA name such as Pacific/Auckland)")
                )
    template = data.get("invoice_description")
    if isinstance(template, str) and template != DESCRIPTION_OFF:
        problems += _template_problems(doc, "/invoice_description", template)
    for block, role in (("source", SourceProvider), ("psa", TargetProvider)):
        problems += _provider_problems(doc, block, role)
    return problems


def _provider_problems(doc: YamlDocument, block: str, role: type) -> list[Problem]:
    """A provider name that is not installed, or that cannot play its block's role: found
    here, offline, rather than by the first run."""
    name = (doc.data.get(block) or {}).get("provider")
    if not isinstance(name, str):
        return []
    try:
        cls = provider_class(name)
    except ConfigError as exc:
        return [doc.problem(f"/{block}/provider", str(exc))]
    if not issubclass(cls, role):
        what = "a PSA" if role is TargetProvider else "a source of licence counts"
        return [doc.problem(f"/{block}/provider", f"provider {name!r} is not {what}, so it cannot be the {block}")]
    return _block_problems(doc, block, getattr(cls, "settings_schema", None))


def _block_problems(doc: YamlDocument, block: str, schema: dict[str, Any] | None) -> list[Problem]:
    """A plug-in's own settings, checked against the JSON Schema it declares for its block
    (`Provider.settings_schema`): a misspelt option is found by `validate`, not at 2 a.m."""
    if not schema:
        return []
    return [
        doc.problem(f"/{block}" + "".join(f"/{escape(str(p))}" for p in error.absolute_path), error.message)
        for error in Draft202012Validator(schema).iter_errors(doc.data.get(block) or {})
    ]


def product_problems(doc: YamlDocument) -> list[Problem]:
    """Stock codes that do not parse, and a stock code mapped by two product mappings."""
    problems = []
    entries: list[tuple[str, str, StockCode]] = []  # (product key, pointer, parsed code)
    for key, product in (doc.data.get("products") or {}).items():
        price = product.get("price")
        if _more_than_cents(price):
            problems.append(
                doc.problem(
                    f"/products/{escape(key)}/price",
                    f"price {price} has more than two decimals; write it in whole cents (a price is never rounded for you)",
                )
            )
        for i, code in enumerate(product.get("stock_codes") or []):
            pointer = f"/products/{escape(key)}/stock_codes/{i}"
            try:
                parsed = StockCode.parse(str(code))
            except ValueError as exc:
                problems.append(doc.problem(pointer, str(exc)))
                continue
            clash = next((p for k, p, other in entries if k != key and _overlap(parsed, other)), None)
            if clash:
                problems.append(
                    doc.problem(
                        pointer,
                        f"stock code {code!r} is already mapped at line {doc.where(clash)[0]} ({clash}); map each stock code once",
                    )
                )
            entries.append((key, pointer, parsed))
    return problems


def _more_than_cents(price: Any) -> bool:
    """A price written as a number with a fraction of a cent (the schema's pattern holds only
    for one written as text)."""
    if isinstance(price, bool) or not isinstance(price, int | float | Decimal):  # the YAML reader's floats are Decimals
        return False
    exponent = Decimal(str(price)).normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent < -2


def _overlap(a: StockCode, b: StockCode) -> bool:
    """Two entries select a common stock code: same prefix, unless both name different billing."""
    if a.prefix != b.prefix:
        return False
    return a.billing is None or b.billing is None or a.billing == b.billing


def client_problems(docs: list[YamlDocument], product_keys: set[str]) -> list[Problem]:
    problems = []
    seen: dict[str, YamlDocument] = {}
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict):
            continue
        dd_id = data.get("dd_customer_id")
        if isinstance(dd_id, str):
            if dd_id in seen:
                other = seen[dd_id]
                problems.append(
                    doc.problem(
                        "/dd_customer_id",
                        f"Dicker Data customer {dd_id!r} is also mapped in {other.file}:{other.where('/dd_customer_id')[0]}; map each customer once",
                    )
                )
            else:
                seen[dd_id] = doc
        for key in data.get("licences") or {}:
            if key not in product_keys:
                known = ", ".join(sorted(product_keys)) or "none"
                problems.append(
                    doc.problem(
                        f"/licences/{escape(str(key))}",
                        f"unknown product key {key!r} (products.yaml has: {known})",
                        key=True,
                    )
                )
        template = data.get("invoice_description")
        if isinstance(template, str) and template not in (DESCRIPTION_DEFAULT, DESCRIPTION_OFF):
            problems += _template_problems(doc, "/invoice_description", template)
    return problems


def env_problems(doc: YamlDocument, environ: Mapping[str, str]) -> list[Problem]:
    """`env:` references to variables that are not set (only with --check-env)."""
    problems = []
    for section in ("source", "psa"):
        for key, value in (doc.data.get(section) or {}).items():
            name = env_name(value)
            if name and not (environ.get(name) or "").strip():
                problems.append(
                    doc.problem(
                        f"/{section}/{escape(key)}",
                        f"environment variable {name} is not set (export it, or store it in your CI's secret store)",
                    )
                )
    for pointer, value in _notify_secrets(doc.data.get("notify") or []):
        name = env_name(value)
        if name and not (environ.get(name) or "").strip():
            problems.append(
                doc.problem(
                    pointer,
                    f"environment variable {name} is not set (a notification channel needs it; export it, or store it in your CI's secret store)",
                )
            )
    return problems


def _notify_secrets(channels: list[dict[str, Any]]) -> list[tuple[str, object]]:
    found = []
    for i, channel in enumerate(channels):
        for key in ("url", "username", "password"):
            if key in channel:
                found.append((f"/notify/{i}/{key}", channel[key]))
        for name, value in (channel.get("headers") or {}).items():
            found.append((f"/notify/{i}/headers/{escape(name)}", value))
    return found


def notify_problems(doc: YamlDocument, root: Path) -> list[Problem]:
    """A channel's own message template must exist and compile (Jinja2)."""
    problems = []
    for i, channel in enumerate(doc.data.get("notify") or []):
        template = channel.get("template")
        if not isinstance(template, str):
            continue
        path = root / template
        try:
            Environment().parse(path.read_text(encoding="utf-8"))
        except OSError:
            problems.append(
                doc.problem(
                    f"/notify/{i}/template",
                    f"template file {template!r} not found (paths are relative to the deployment folder)",
                )
            )
        except TemplateSyntaxError as exc:
            problems.append(
                doc.problem(
                    f"/notify/{i}/template", f"{template}:{exc.lineno}: the template does not compile: {exc.message}"
                )
            )
    return problems


def _template_problems(doc: YamlDocument, pointer: str, source: str) -> list[Problem]:
    try:
        DescriptionTemplate(source).check()
    except ValueError as exc:
        return [doc.problem(pointer, str(exc))]
    return []
