"""A folder of Dicker Data portal export files, read as an Inventory (`endpoint: files`).

Every `.xlsx` and `.csv` file in the folder is read. Its kind is told by its sheet name
(`DETAILS` = Annuity Information, `Invoice Details` = CSP Invoice Report) or, for a .csv,
by its header columns. Anything unexpected stops the read with a SourceError naming the
file, sheet, row and column: an export that cannot be read completely is never taken for
fewer seats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from providers.dickerdata import annuity, invoicereport, mapping
from providers.dickerdata.sheet import Sheet, column_key, read_csv, read_xlsx, table
from reconciler.errors import SourceError
from reconciler.model import Inventory, Invoice, InvoiceLine, Scope, Subscription

log = logging.getLogger(__name__)

ANNUITY = "Annuity Information"
INVOICE_REPORT = "CSP Invoice Report"
SUFFIXES = (".xlsx", ".csv")
REFUSAL = "refusing to treat that as zero seats"
_DISTINCT = {
    ANNUITY: set(annuity.COLUMNS) - set(invoicereport.COLUMNS),
    INVOICE_REPORT: set(invoicereport.COLUMNS) - set(annuity.COLUMNS),
}


@dataclass(frozen=True)
class ExportSheet:
    kind: str
    sheet: Sheet


class ExportFolder:
    def __init__(self, folder: Path, label: str | None = None):
        self.folder = folder
        self.label = label or str(folder)

    def read(self, scope: Scope, *, with_invoices: bool = False) -> Inventory:
        sheets = self.sheets()
        subs = self._subscriptions([s.sheet for s in sheets if s.kind == ANNUITY])
        invoices: tuple[Invoice, ...] = ()
        if with_invoices or scope.with_invoices:
            invoices = self._invoices([s.sheet for s in sheets if s.kind == INVOICE_REPORT])
        if not scope.full_run:
            subs = [s for s in subs if s.tenant_id in scope.tenant_ids]
            invoices = _only_tenants(invoices, scope.tenant_ids)
        if scope.invoice_numbers:
            invoices = tuple(i for i in invoices if i.number in scope.invoice_numbers)
        log.info(
            "dickerdata: read folder=%s subscriptions=%d invoices=%d",
            self.label,
            len(subs),
            len(invoices),
        )
        return Inventory(customers=mapping.customers(subs), subscriptions=tuple(subs), invoices=invoices)

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            raise SourceError(f"no subscriptions read from {self.label}: the folder does not exist; {REFUSAL}")
        found = [
            p
            for p in sorted(self.folder.iterdir())
            # "~$name.xlsx" is the lock file a spreadsheet program leaves while a file is open
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", "."))
        ]
        if not found:
            raise SourceError(
                f"no subscriptions read from {self.label}: the folder has no .xlsx or .csv export files; {REFUSAL}"
            )
        return found

    def sheets(self) -> list[ExportSheet]:
        result: list[ExportSheet] = []
        for path in self.files():
            label = f"{self.label}/{path.name}"
            is_csv = path.suffix.lower() == ".csv"
            result.extend(_csv_sheets(path, label) if is_csv else _xlsx_sheets(path, label))
        return result

    def _subscriptions(self, sheets: list[Sheet]) -> list[Subscription]:
        if not sheets:
            raise SourceError(
                f"no subscriptions read from {self.label}: no {ANNUITY} export "
                f"(sheet {annuity.SHEET_NAME}) in the folder; {REFUSAL}"
            )
        owner: dict[str, str] = {}
        result: list[Subscription] = []
        for sheet in sheets:
            subs = annuity.subscriptions(sheet)
            if not subs:
                raise SourceError(f"no subscriptions read from {sheet.label}; {REFUSAL}")
            for sub in subs:
                first = owner.setdefault(sub.subscription_id, sheet.file)
                if first != sheet.file:
                    raise SourceError(
                        f"subscription {sub.subscription_id} is listed in both {first} and "
                        f"{sheet.file}; keep only the newest {ANNUITY} export in the folder"
                    )
            result.extend(subs)
        return result

    def _invoices(self, sheets: list[Sheet]) -> tuple[Invoice, ...]:
        if not sheets:
            raise SourceError(
                f"no invoices read from {self.label}: no {INVOICE_REPORT} export (sheet Invoice Details) in the folder"
            )
        owner: dict[str, str] = {}
        lines: dict[str, list[InvoiceLine]] = {}
        for sheet in sheets:
            sheet_lines = invoicereport.invoice_lines(sheet)
            if not sheet_lines:
                raise SourceError(f"no invoice lines read from {sheet.label}; refusing to read an empty invoice")
            for number in sorted({line.invoice_number for line in sheet_lines}):
                first = owner.setdefault(number, sheet.file)
                if first != sheet.file:
                    raise SourceError(f"invoice {number} is listed in both {first} and {sheet.file}")
            for line in sheet_lines:
                lines.setdefault(line.invoice_number, []).append(line)
        return tuple(_invoice(num, group, owner[num]) for num, group in sorted(lines.items()))


def _invoice(number: str, lines: list[InvoiceLine], file: str) -> Invoice:
    dates = sorted({line.invoice_date for line in lines})
    if len(dates) > 1:
        shown = ", ".join(d.isoformat() for d in dates)
        raise SourceError(f"{file}: invoice {number} has lines with different invoice dates ({shown})")
    return Invoice(number=number, date=dates[0], lines=tuple(lines))


def _only_tenants(invoices: Iterable[Invoice], tenants: frozenset[str]) -> tuple[Invoice, ...]:
    kept = []
    for invoice in invoices:
        lines = tuple(line for line in invoice.lines if line.tenant_id in tenants)
        if lines:
            kept.append(Invoice(number=invoice.number, date=invoice.date, lines=lines))
    return tuple(kept)


def _csv_sheets(path: Path, label: str) -> list[ExportSheet]:
    sheet = read_csv(path, label)
    header = set(sheet.header)
    scores = {kind: len(columns & header) for kind, columns in _DISTINCT.items()}
    best = max(scores, key=lambda kind: scores[kind])
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        raise SourceError(
            f"{label}: row {sheet.header_row}: the header is neither an {ANNUITY} nor a "
            f"{INVOICE_REPORT} export (expected columns like {', '.join(annuity.COLUMNS[:4])})"
        )
    return [ExportSheet(best, sheet)]


def _xlsx_sheets(path: Path, label: str) -> list[ExportSheet]:
    kinds = {annuity.SHEET_NAME: ANNUITY, invoicereport.SHEET_NAME: INVOICE_REPORT}
    result, names = [], []
    for name, rows in read_xlsx(path, label):
        names.append(name)
        kind = kinds.get(column_key(name))
        if kind is not None:
            result.append(ExportSheet(kind, table(label, name, rows)))
    if not result:
        raise SourceError(
            f"{label}: no sheet named {annuity.SHEET_NAME} ({ANNUITY}) or Invoice Details "
            f"({INVOICE_REPORT}); the workbook has: {', '.join(names)}"
        )
    return result
