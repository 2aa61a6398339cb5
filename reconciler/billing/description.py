"""Invoice descriptions (billing.md section 6): a sandboxed Jinja2 template per deployment.

The template is customer-facing text on the PSA lines the sync writes. It runs in Jinja2's
sandbox with strict undefined variables, so a typo is an error at `validate` time rather
than an empty invoice line at 2 a.m.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

DEFAULT_TEMPLATE = "{{ licence.name }} x {{ quantity }} ({{ period.start }} to {{ period.end }})"


@dataclass(frozen=True)
class DescriptionContext:
    client_name: str
    client_id: str
    licence_name: str
    stock_code: str
    term: str
    billing_frequency: str
    quantity: int
    period_start: date
    period_end: date
    term_end: date | None
    unit_price: Decimal
    sync_date: date
    effective_date: date | None = None  # the day the written change takes effect

    def variables(self) -> dict[str, Any]:
        return {
            "client": {"name": self.client_name, "id": self.client_id},
            "licence": {
                "name": self.licence_name,
                "stock_code": self.stock_code,
                "term": self.term,
                "billing_frequency": self.billing_frequency,
            },
            "quantity": self.quantity,
            "period": {"start": self.period_start, "end": self.period_end},
            "term_end": self.term_end,
            "unit_price": self.unit_price,
            "sync_date": self.sync_date,
            "effective_date": self.effective_date or self.sync_date,
        }


SAMPLE = DescriptionContext(
    client_name="Contoso Ltd",
    client_id="00000000-0000-0000-0000-000000000000",
    licence_name="Microsoft 365 Business Premium",
    stock_code="P1Y:CFQ7TTC0LCHC:0002:1:",
    term="P1Y",
    billing_frequency="monthly",
    quantity=12,
    period_start=date(2024, 6, 1),
    period_end=date(2024, 6, 30),
    term_end=date(2025, 4, 30),
    unit_price=Decimal("36.30"),
    sync_date=date(2024, 6, 15),
    effective_date=date(2024, 6, 15),
)


@lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    # A plan renders one template per licence; compiling it each time cost more than the
    # rest of planning put together at a few thousand clients.
    return _ENV.from_string(source)


SAMPLE_SPARSE = replace(
    SAMPLE, stock_code="", term="", billing_frequency="", term_end=None, quantity=0, effective_date=None
)


class DescriptionTemplate:
    def __init__(self, source: str):
        """Compile `source`; raise ValueError with Jinja2's message when it does not compile."""
        try:
            self._template = _compiled(source)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (template line {line})" if line else ""
            raise ValueError(f"invoice description template does not compile{where}: {exc}") from exc
        self.source = source

    def render(self, context: DescriptionContext, *, limit: int | None = None) -> str:
        """Render and cut to the PSA's length limit; raise ValueError on a render failure."""
        try:
            text = self._template.render(**context.variables()).strip()
        except Exception as exc:
            what = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
            raise ValueError(f"invoice description template does not render: {what}") from exc
        if not text:
            # A blank customer-facing line (110 once went out blank) is never what was meant;
            # `invoice_description: off` is how to write none.
            raise ValueError(
                "invoice description template renders an empty description (write `invoice_description: off` for none)"
            )
        if limit is not None and len(text) > limit:
            text = text[: limit - 1] + "…"
        return text

    def render_for(
        self, context: DescriptionContext, *, effective: date, period: tuple[date, date], limit: int | None = None
    ) -> str:
        """The text of a change effective on `effective`: `quantity` and `period` are what
        the customer is invoiced for from that day (billing.md 6), so an advance adjustment
        dated 1 July says July, not June."""
        dated = replace(context, effective_date=effective, period_start=period[0], period_end=period[1])
        return self.render(dated, limit=limit)

    def check(self) -> None:
        """Render with sample data: what `validate` runs for every template in the specs.

        Twice: once with every value present, once with the optional ones missing (a licence
        with no subscription left has no stock code and no term end), so a template that only
        works on complete data fails here rather than at 2 a.m.
        """
        self.render(SAMPLE)
        self.render(SAMPLE_SPARSE)


@dataclass(frozen=True)
class LicenceText:
    """One licence's invoice description: its template and every variable but the date,
    which only the billing rules know (the effective date of the change they write)."""

    source: str
    context: DescriptionContext

    def on(self, effective: date, period: tuple[date, date], *, limit: int | None = None) -> str:
        """The text for a change effective on `effective`, in `period`; ValueError when
        the template fails on this licence's data."""
        return DescriptionTemplate(self.source).render_for(
            self.context, effective=effective, period=period, limit=limit
        )
