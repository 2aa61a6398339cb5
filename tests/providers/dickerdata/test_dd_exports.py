"""Reading the DD portal export files (.csv and .xlsx), and refusing the ones that are damaged."""

from __future__ import annotations

import csv
import re
import shutil
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from providers.dickerdata.exports import ExportFolder
from reconciler.errors import SourceError
from reconciler.model import Scope
from tests.providers.dickerdata.dickerdata_testkit import FIXTURES

ANNUITY_CSV = FIXTURES / "annuity-information-2024-06.csv"
INVOICE_CSV = FIXTURES / "csp-invoice-report-2024-06.csv"
TENANT_A = "8a1f0c52-6d0e-4b7e-9a51-1f2c3d4e5f60"
TENANT_B = "3c9e7b21-0a4d-4f6b-8e2c-7d6a5b4c3d2e"
FULL = Scope(sync_date=date(2024, 6, 15))
WITH_INVOICES = Scope(sync_date=date(2024, 6, 15), with_invoices=True)
DD_DATE = re.compile(r"^\d{1,2}-[A-Za-z]{3}-\d{4}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SHEETS = {"annuity": "DETAILS", "invoice": "Invoice Details"}


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return [list(r) for r in csv.reader(handle)]


def _typed(cell: str):
    """A cell as a spreadsheet program stores it: dates and numbers are not text."""
    if DD_DATE.match(cell):
        try:
            return datetime.strptime(cell.title(), "%d-%b-%Y")
        except ValueError:
            return cell  # a bad date stays text, as it would in the sheet
    if NUMBER.match(cell):
        return int(cell) if "." not in cell else float(cell)
    return cell or None


def _write(path: Path, rows: list[list], sheet: str | None = None) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return path
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Summary"  # real exports carry other sheets too
    workbook.active.append(["Report generated for ACC40017"])
    worksheet = workbook.create_sheet(sheet)
    for row in rows:
        worksheet.append([_typed(c) if isinstance(c, str) else c for c in row])
    workbook.save(path)
    return path


def _folder(tmp_path: Path, fmt: str, *, annuity=None, invoice=None) -> ExportFolder:
    """An `exports/` folder holding the annuity (and invoice) fixture as .csv or .xlsx."""
    folder = tmp_path / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / f"annuity.{fmt}", annuity or _rows(ANNUITY_CSV), SHEETS["annuity"])
    if invoice is not False:
        _write(folder / f"invoices.{fmt}", invoice or _rows(INVOICE_CSV), SHEETS["invoice"])
    return ExportFolder(folder, "exports")


@pytest.fixture(params=["csv", "xlsx"])
def fmt(request) -> str:
    return request.param


def _subs(inventory):
    return {s.subscription_id: s for s in inventory.subscriptions}


def test_annuity_file_is_read_completely(tmp_path, fmt):
    inventory = _folder(tmp_path, fmt).read(FULL)
    subs = _subs(inventory)
    assert len(subs) == 7
    assert [c.name for c in inventory.customers] == ["Fabrikam Ltd", "Northwind Traders Limited", "Contoso Pty Ltd"]
    premium = subs["a1111111-0000-4000-8000-000000000001"]
    assert (premium.tenant_id, premium.company_name) == (TENANT_A, "Contoso Pty Ltd")
    assert (premium.stock_code, premium.quantity, premium.status) == ("P1Y:CFQ7TTC0LCHC:0002:1:", 12, "ACTIVE")
    assert premium.billing_frequency == "monthly"
    assert premium.term_end == date(2025, 3, 31)


def test_unit_price_per_full_term_becomes_cost_per_month(tmp_path, fmt):
    subs = _subs(_folder(tmp_path, fmt).read(FULL))
    assert subs["a1111111-0000-4000-8000-000000000001"].unit_cost == Decimal("33.0000")  # 396.00 / 12
    assert subs["a1111111-0000-4000-8000-000000000001"].unit_rrp == Decimal("39.6000")
    assert subs["a1111111-0000-4000-8000-000000000002"].unit_cost == Decimal("5.2800")  # P1M: as is
    assert subs["a1111111-0000-4000-8000-000000000003"].unit_cost == Decimal("4.0000")  # co-termed P1Y
    assert subs["b2222222-0000-4000-8000-000000000001"].unit_cost == Decimal("7.2000")  # 259.20 / 36
    northwind = subs["c3333333-0000-4000-8000-000000000001"]
    assert northwind.unit_cost == Decimal("8.3342")  # 100.01 / 12, half-up to 4 places
    assert northwind.unit_rrp is None
    assert all(type(s.unit_cost) is Decimal for s in subs.values())


def test_every_status_is_kept_for_the_plan_to_explain(tmp_path, fmt):
    subs = _subs(_folder(tmp_path, fmt).read(FULL))
    statuses = {s.status for s in subs.values()}
    assert statuses == {"ACTIVE", "SUSPENDED", "CANCELLED"}
    assert not subs["b2222222-0000-4000-8000-000000000002"].is_active


def test_retired_product_is_named_by_its_full_description(tmp_path, fmt):
    retired = _subs(_folder(tmp_path, fmt).read(FULL))["a1111111-0000-4000-8000-000000000004"]
    assert retired.description == "MS NCE MICROSOFT 365 E3 1 YR COMMIT ANNUAL"
    assert retired.stock_code == "P1Y:CFQ7TTC0LFLZ:0002:Y:" and retired.quantity == 2


def test_csv_and_xlsx_read_the_same(tmp_path):
    from_csv = _folder(tmp_path / "c", "csv").read(WITH_INVOICES)
    from_xlsx = _folder(tmp_path / "x", "xlsx").read(WITH_INVOICES)
    assert from_csv == from_xlsx


def test_invoice_report_is_read_per_invoice(tmp_path, fmt):
    invoices = _folder(tmp_path, fmt).read(WITH_INVOICES).invoices
    assert [(i.number, i.date, len(i.lines)) for i in invoices] == [
        ("INV-240601", date(2024, 6, 3), 4),
        ("INV-240602", date(2024, 6, 5), 1),
    ]
    charge, refund, coterm, _ = invoices[0].lines
    assert (charge.quantity, charge.unit_price, charge.line_amount) == (12, Decimal("33.00"), Decimal("396.00"))
    assert (refund.quantity, refund.line_amount) == (-2, Decimal("-25.54"))
    assert (refund.usage_start, refund.usage_end) == (date(2024, 5, 20), date(2024, 5, 31))
    assert (coterm.unit_price, coterm.cycle_unit_price) == (Decimal("38.27"), Decimal("48.00"))
    assert (coterm.term_start, coterm.usage_end) == (date(2024, 6, 14), date(2025, 3, 31))


def test_invoices_are_read_only_when_asked(tmp_path):
    assert _folder(tmp_path, "csv").read(FULL).invoices == ()


def test_scope_limits_invoices_and_tenants(tmp_path, fmt):
    scope = Scope(
        sync_date=date(2024, 6, 15),
        tenant_ids=frozenset({TENANT_B}),
        full_run=False,
        invoice_numbers=frozenset({"INV-240601"}),
        with_invoices=True,
    )
    inventory = _folder(tmp_path, fmt).read(scope)
    assert {s.tenant_id for s in inventory.subscriptions} == {TENANT_B}
    assert [c.tenant_id for c in inventory.customers] == [TENANT_B]
    (invoice,) = inventory.invoices
    assert invoice.number == "INV-240601" and [line.tenant_id for line in invoice.lines] == [TENANT_B]


def test_column_names_are_matched_trimmed_and_case_insensitive(tmp_path, fmt):
    rows = _rows(ANNUITY_CSV)
    rows[0] = [f"  {name.lower()} " for name in rows[0]]
    inventory = _folder(tmp_path, fmt, annuity=rows, invoice=False).read(FULL)
    assert len(inventory.subscriptions) == 7


def _bad(rows: list[list[str]], row: int, column: str, value) -> list[list]:
    rows = [list(r) for r in rows]
    rows[row - 1][rows[0].index(column)] = value
    return rows


BAD_ANNUITY = [
    (3, "QTY", "5.5", "is not a whole number"),
    (4, "QTY", "five", "'five' is not a whole number"),
    (5, "UNIT PRICE", "12,50 AUD", "'12,50 AUD' is not a decimal amount"),
    (6, "REVALUATION PERIOD", "2025-03-31", "is not a date like 19-JAN-2024"),
    (7, "REVALUATION PERIOD", "31-MRZ-2025", "'31-MRZ-2025' is not a date like 19-JAN-2024"),
    (2, "START USAGE", "30-FEB-2024", "'30-FEB-2024' is not a calendar date"),
    (8, "STOCK CODE", "M365-PREMIUM", "stock code 'M365-PREMIUM' is not TERM:PRODUCT:SKU"),
    (2, "TENANT ID", "", "the cell is empty"),
    (3, "QTY", "", "the cell is empty"),
]


@pytest.mark.parametrize("row, column, value, problem", BAD_ANNUITY)
def test_a_bad_annuity_cell_names_file_sheet_row_and_column(tmp_path, fmt, row, column, value, problem):
    folder = _folder(tmp_path, fmt, annuity=_bad(_rows(ANNUITY_CSV), row, column, value), invoice=False)
    where = "exports/annuity.csv" if fmt == "csv" else "exports/annuity.xlsx: sheet DETAILS"
    with pytest.raises(SourceError) as caught:
        folder.read(FULL)
    assert str(caught.value).startswith(f"{where}: row {row}: column {column}: ")
    assert problem in str(caught.value)


BAD_INVOICE = [
    (2, "INVOICE DATE", "June 3rd", "'June 3rd' is not a date like 19-JAN-2024"),
    (3, "QTY", "-2.5", "is not a whole number"),
    (4, "CYCLE UNIT PRICE", "n/a", "'n/a' is not a decimal amount"),
    (5, "LINE AMOUNT", "", "the cell is empty"),
]


@pytest.mark.parametrize("row, column, value, problem", BAD_INVOICE)
def test_a_bad_invoice_cell_names_file_sheet_row_and_column(tmp_path, fmt, row, column, value, problem):
    folder = _folder(tmp_path, fmt, invoice=_bad(_rows(INVOICE_CSV), row, column, value))
    where = "exports/invoices.csv" if fmt == "csv" else "exports/invoices.xlsx: sheet Invoice Details"
    with pytest.raises(SourceError) as caught:
        folder.read(WITH_INVOICES)
    assert str(caught.value).startswith(f"{where}: row {row}: column {column}: ")
    assert problem in str(caught.value)


def test_a_missing_column_is_named_with_the_header_row(tmp_path, fmt):
    rows = [r[:6] + r[7:] for r in _rows(ANNUITY_CSV)]  # no QTY
    with pytest.raises(SourceError, match=r"annuity\.\w+(: sheet DETAILS)?: row 1: missing column QTY \("):
        _folder(tmp_path, fmt, annuity=rows, invoice=False).read(FULL)


def test_a_file_with_a_header_but_no_rows_is_refused(tmp_path, fmt):
    rows = _rows(ANNUITY_CSV)[:1]
    with pytest.raises(
        SourceError, match="no subscriptions read from exports/annuity.* refusing to treat that as zero seats"
    ):
        _folder(tmp_path, fmt, annuity=rows, invoice=False).read(FULL)


def test_an_empty_folder_is_refused(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "notes.txt").write_text("downloaded from the DD portal")
    with pytest.raises(SourceError, match="no subscriptions read from exports: the folder has no .xlsx or .csv"):
        ExportFolder(tmp_path / "exports", "exports").read(FULL)


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(SourceError, match="no subscriptions read from exports: the folder does not exist"):
        ExportFolder(tmp_path / "exports", "exports").read(FULL)


def test_only_an_invoice_report_is_not_a_subscription_read(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(INVOICE_CSV, folder / "invoices.csv")
    with pytest.raises(SourceError, match="no Annuity Information export .* refusing to treat that as zero seats"):
        ExportFolder(folder, "exports").read(WITH_INVOICES)


def test_invoices_asked_for_but_no_invoice_report_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="no invoices read from exports: no CSP Invoice Report export"):
        _folder(tmp_path, "csv", invoice=False).read(WITH_INVOICES)


def test_two_files_listing_one_subscription_are_refused_by_name(tmp_path, fmt):
    folder = _folder(tmp_path, fmt, invoice=False)
    _write(folder.folder / f"annuity-may.{fmt}", _rows(ANNUITY_CSV)[:2], SHEETS["annuity"])
    with pytest.raises(SourceError) as caught:
        folder.read(FULL)
    message = str(caught.value)
    assert "subscription a1111111-0000-4000-8000-000000000001 is listed in both" in message
    assert f"exports/annuity-may.{fmt}" in message and f"exports/annuity.{fmt}" in message


def test_one_subscription_twice_in_a_file_is_refused(tmp_path):
    rows = _rows(ANNUITY_CSV)
    rows.append(list(rows[1]))
    with pytest.raises(
        SourceError, match=r"exports/annuity.csv: row 9: column SUBSCRIPTION ID: .* listed again \(first on row 2\)"
    ):
        _folder(tmp_path, "csv", annuity=rows, invoice=False).read(FULL)


def test_several_annuity_files_are_all_read(tmp_path):
    rows = _rows(ANNUITY_CSV)
    folder = _folder(tmp_path, "csv", annuity=rows[:5], invoice=False)
    _write(folder.folder / "annuity-fabrikam.xlsx", rows[:1] + rows[5:], SHEETS["annuity"])
    assert len(folder.read(FULL).subscriptions) == 7


def test_an_unrecognised_csv_is_refused(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    _write(folder / "other.csv", [["NAME", "SEATS"], ["Contoso", "12"]])
    with pytest.raises(SourceError, match="exports/other.csv: row 1: the header is neither an Annuity Information nor"):
        ExportFolder(folder, "exports").read(FULL)


def test_a_workbook_without_a_known_sheet_is_refused(tmp_path):
    folder = _folder(tmp_path, "csv", invoice=False)
    _write(folder.folder / "report.xlsx", _rows(ANNUITY_CSV), "Sheet1")
    with pytest.raises(
        SourceError, match="exports/report.xlsx: no sheet named DETAILS .* the workbook has: Summary, Sheet1"
    ):
        folder.read(FULL)


def test_a_damaged_workbook_is_refused(tmp_path):
    folder = _folder(tmp_path, "csv", invoice=False)
    (folder.folder / "annuity-july.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError, match="exports/annuity-july.xlsx: not a readable .xlsx workbook"):
        folder.read(FULL)


def test_spreadsheet_lock_files_are_ignored(tmp_path):
    folder = _folder(tmp_path, "csv", invoice=False)
    (folder.folder / "~$annuity.xlsx").write_bytes(b"lock")
    assert len(folder.read(FULL).subscriptions) == 7


def test_xlsx_without_openpyxl_says_how_to_install_it(tmp_path, monkeypatch):
    folder = _folder(tmp_path, "xlsx", invoice=False)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    with pytest.raises(
        SourceError,
        match=r"exports/annuity.xlsx: reading .xlsx export files needs openpyxl: pip install 'ncesync\[xlsx\]'",
    ):
        folder.read(FULL)


def test_a_csv_that_is_not_utf8_is_refused(tmp_path):
    folder = _folder(tmp_path, "csv", invoice=False)
    (folder.folder / "annuity.csv").write_bytes(ANNUITY_CSV.read_bytes().replace(b"Contoso", b"Contos\xf6"))
    with pytest.raises(SourceError, match="exports/annuity.csv: not UTF-8 text"):
        folder.read(FULL)


def test_one_invoice_in_two_files_is_refused(tmp_path):
    folder = _folder(tmp_path, "csv")
    _write(folder.folder / "invoices-copy.xlsx", _rows(INVOICE_CSV), SHEETS["invoice"])
    with pytest.raises(
        SourceError, match="invoice INV-240601 is listed in both exports/invoices-copy.xlsx and exports/invoices.csv"
    ):
        folder.read(WITH_INVOICES)
