"""One table of a Dicker Data export file (.xlsx sheet or .csv), with located cell access.

The header row is the first non-empty row; column names are matched trimmed and
case-insensitively. Row numbers are the ones a spreadsheet shows (1 = first line of the
file), so a message can be followed straight to the cell.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from providers.dickerdata import values
from reconciler.errors import SourceError

T = TypeVar("T")
XLSX_HINT = "reading .xlsx export files needs openpyxl: pip install 'ncesync[xlsx]'"


def column_key(name: Any) -> str:
    return " ".join(str(name or "").split()).upper()


@dataclass(frozen=True)
class Row:
    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    file: str  # as shown in messages
    name: str | None  # the sheet's name; None for a .csv file
    header: tuple[str, ...]  # normalised column names, in file order
    header_row: int
    rows: tuple[Row, ...]

    @property
    def label(self) -> str:
        return f"{self.file}: sheet {self.name}" if self.name else self.file

    def require(self, columns: Iterable[str]) -> None:
        """Every column must be present; a missing one is named with the header row."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise SourceError(
                f"{self.label}: row {self.header_row}: missing column "
                f"{', '.join(missing)} (the header has: {', '.join(h for h in self.header if h)})"
            )

    def where(self, row: Row, column: str) -> str:
        return f"{self.label}: row {row.number}: column {column}"

    def raw(self, row: Row, column: str) -> Any:
        index = self.header.index(column)
        value = row.cells[index] if index < len(row.cells) else None
        return value.strip() if isinstance(value, str) else value

    def value(self, row: Row, column: str, parse: Callable[[Any], T]) -> T:
        """The parsed cell; an empty or unparseable cell raises naming the cell."""
        cell = self.raw(row, column)
        if values.is_blank(cell):
            raise SourceError(f"{self.where(row, column)}: the cell is empty")
        return self._parse(row, column, cell, parse)

    def optional(self, row: Row, column: str, parse: Callable[[Any], T]) -> T | None:
        cell = self.raw(row, column)
        if values.is_blank(cell):
            return None
        return self._parse(row, column, cell, parse)

    def text(self, row: Row, column: str, *, required: bool = True) -> str:
        cell = self.raw(row, column)
        if values.is_blank(cell):
            if required:
                raise SourceError(f"{self.where(row, column)}: the cell is empty")
            return ""
        return str(cell).strip()

    def _parse(self, row: Row, column: str, cell: Any, parse: Callable[[Any], T]) -> T:
        try:
            return parse(cell)
        except ValueError as exc:
            raise SourceError(f"{self.where(row, column)}: {exc}") from None


def table(file: str, name: str | None, lines: Iterable[tuple[Any, ...]]) -> Sheet:
    """A Sheet from raw lines; blank lines are skipped, the first non-blank is the header."""
    header: tuple[str, ...] | None = None
    header_row = 0
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=1):
        if all(values.is_blank(c) for c in cells):
            continue
        if header is None:
            header, header_row = tuple(column_key(c) for c in cells), number
            _check_unique(file, name, header, number)
        else:
            rows.append(Row(number, tuple(cells)))
    return Sheet(file, name, header or (), header_row or 1, tuple(rows))


def read_csv(path: Path, label: str) -> Sheet:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return table(label, None, (tuple(r) for r in csv.reader(handle)))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{label}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    except csv.Error as exc:
        raise SourceError(f"{label}: not a readable CSV file: {exc}") from None


def read_xlsx(path: Path, label: str) -> Iterator[tuple[str, Iterator[tuple[Any, ...]]]]:
    """(sheet name, rows) for every sheet of a workbook."""
    try:
        import openpyxl  # an optional extra: only .xlsx export files need it
    except ImportError:
        raise SourceError(f"{label}: {XLSX_HINT}") from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for damaged files
        raise SourceError(f"{label}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        for worksheet in workbook.worksheets:
            yield worksheet.title, worksheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _check_unique(file: str, name: str | None, header: tuple[str, ...], number: int) -> None:
    seen = set()
    for column in header:
        if column and column in seen:
            where = f"{file}: sheet {name}" if name else file
            raise SourceError(f"{where}: row {number}: column {column} appears twice in the header")
        seen.add(column)
