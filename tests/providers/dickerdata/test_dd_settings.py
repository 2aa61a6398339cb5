"""Building the provider from settings.yaml, and the value parsers every read relies on."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import pytest

from providers.dickerdata import values
from providers.dickerdata.client import DEFAULT_BASE_URL
from providers.dickerdata.provider import DickerDataProvider
from reconciler.errors import ConfigError
from reconciler.model import ProviderConfig, Scope
from reconciler.provider import ProviderContext
from tests.providers.dickerdata.dickerdata_testkit import FIXTURES


def _context(tmp_path, **environ) -> ProviderContext:
    return ProviderContext(root=str(tmp_path), timezone="Australia/Sydney", environ=environ)


def _options(**extra):
    return {"account_code": "env:DD_ACCOUNT", "access_token": "env:DD_TOKEN", **extra}


def test_env_references_are_resolved_and_the_real_host_is_the_default(tmp_path):
    config = ProviderConfig("dickerdata", "", _options(key_transport="header"))
    provider = DickerDataProvider.from_config(config, _context(tmp_path, DD_ACCOUNT="ACC1", DD_TOKEN="tok-123456"))
    assert provider.client.base_url == DEFAULT_BASE_URL
    assert provider.client.account_code == "ACC1"
    assert provider.client.key_transport.mode == "header"


def test_timeout_sets_the_read_timeout(tmp_path):
    config = ProviderConfig("dickerdata", DEFAULT_BASE_URL, _options(timeout=120))
    provider = DickerDataProvider.from_config(config, _context(tmp_path, DD_ACCOUNT="A", DD_TOKEN="tok-123456"))
    assert provider.client.timeout == (10.0, 120.0)
    config = ProviderConfig("dickerdata", DEFAULT_BASE_URL, _options(timeout="soon"))
    with pytest.raises(ConfigError, match="source.timeout must be a number of seconds, not 'soon'"):
        DickerDataProvider.from_config(config, _context(tmp_path, DD_ACCOUNT="A", DD_TOKEN="tok-123456"))


def test_a_missing_variable_is_named(tmp_path):
    config = ProviderConfig("dickerdata", DEFAULT_BASE_URL, _options())
    with pytest.raises(ConfigError, match="source.access_token refers to the environment variable DD_TOKEN"):
        DickerDataProvider.from_config(config, _context(tmp_path, DD_ACCOUNT="ACC1"))


def test_an_endpoint_that_is_no_url_is_refused(tmp_path):
    config = ProviderConfig("dickerdata", "b2b-api.dickerdata.com.au", _options())
    with pytest.raises(ConfigError, match="is not sandbox, files or an http"):
        DickerDataProvider.from_config(config, _context(tmp_path, DD_ACCOUNT="A", DD_TOKEN="tok-123456"))


def test_sandbox_endpoint_needs_a_running_sandbox(tmp_path):
    with pytest.raises(ConfigError, match="no sandbox is running"):
        DickerDataProvider.from_config(ProviderConfig("dickerdata", "sandbox", {}), _context(tmp_path))


def test_files_endpoint_reads_the_folder_under_the_deployment(tmp_path):
    (tmp_path / "dd-exports").mkdir()
    shutil.copy(FIXTURES / "annuity-information-2024-06.csv", tmp_path / "dd-exports")
    shutil.copy(FIXTURES / "csp-invoice-report-2024-06.csv", tmp_path / "dd-exports")
    config = ProviderConfig("dickerdata", "files", {"folder": "dd-exports", "read_invoices": True})
    inventory = DickerDataProvider.from_config(config, _context(tmp_path)).read(Scope(sync_date=date(2024, 6, 15)))
    assert len(inventory.subscriptions) == 7 and len(inventory.invoices) == 2


def test_files_endpoint_needs_a_folder(tmp_path):
    with pytest.raises(ConfigError, match="source.folder is not set"):
        DickerDataProvider.from_config(ProviderConfig("dickerdata", "files", {}), _context(tmp_path))


def test_read_invoices_must_be_a_yes_or_no(tmp_path):
    config = ProviderConfig("dickerdata", "files", {"folder": "x", "read_invoices": "monthly"})
    with pytest.raises(ConfigError, match="source.read_invoices is 'monthly'; expected true or false"):
        DickerDataProvider.from_config(config, _context(tmp_path))


@pytest.mark.parametrize(
    "text, expected",
    [("19-JAN-2024", date(2024, 1, 19)), ("3-jun-2024", date(2024, 6, 3)), (" 31-Aug-2025 ", date(2025, 8, 31))],
)
def test_dd_dates(text, expected):
    assert values.dd_date(text) == expected


@pytest.mark.parametrize("text", ["2024-01-19", "19/01/2024", "19-JANUARY-2024", "32-JAN-2024", "29-FEB-2023"])
def test_bad_dd_dates_are_refused(text):
    with pytest.raises(ValueError):
        values.dd_date(text)


def test_a_spreadsheet_date_cell_is_a_date():
    assert values.dd_date(datetime(2024, 1, 19, 0, 0)) == date(2024, 1, 19)


def test_api_dates_in_either_form():
    assert values.any_date("2024-06-03T00:00:00") == date(2024, 6, 3)
    assert values.any_date("03-JUN-2024") == date(2024, 6, 3)
    with pytest.raises(ValueError, match="is not a date like 19-JAN-2024 or 2024-01-19"):
        values.any_date("June 3")


@pytest.mark.parametrize("value, expected", [("12", 12), (" -2 ", -2), (5.0, 5), ("7.0", 7), (Decimal("3"), 3)])
def test_quantities(value, expected):
    assert values.quantity(value) == expected


@pytest.mark.parametrize("value", ["5.5", 5.5, "", "twelve", True, "1e3"])
def test_bad_quantities_are_refused(value):
    with pytest.raises(ValueError, match="is not a whole number"):
        values.quantity(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1,234.50", Decimal("1234.50")),
        (72.1, Decimal("72.1")),
        ("$5.28", Decimal("5.28")),
        ("-25.54", Decimal("-25.54")),
    ],
)
def test_amounts_are_decimals(value, expected):
    assert values.amount(value) == expected and type(values.amount(value)) is Decimal


@pytest.mark.parametrize("value", ["12,50 AUD", "n/a", "", "1e3", "NaN"])
def test_bad_amounts_are_refused(value):
    with pytest.raises(ValueError, match="is not a decimal amount"):
        values.amount(value)


def test_per_month_rounds_half_up_to_four_places():
    assert values.per_month(Decimal("100.01"), 12) == Decimal("8.3342")
    assert values.per_month(Decimal("0.00006"), 1) == Decimal("0.0001")
    assert values.per_month(Decimal("259.20"), 36) == Decimal("7.2000")
