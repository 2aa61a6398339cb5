"""Secrets resolved from env: references never reach a log line, whoever logs it."""

from __future__ import annotations

import logging

import pytest

from reconciler.logs import SECRET_MASK
from reconciler.secrets import resolve


def test_a_resolved_secret_is_masked_in_library_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    value = resolve("env:CW_PRIVATE_KEY", {"CW_PRIVATE_KEY": "s3cr3t-private-key"}, setting="psa.private_key")
    assert value == "s3cr3t-private-key"
    logger = logging.getLogger("urllib3.connectionpool")
    caplog.handler.addFilter(SECRET_MASK)
    with caplog.at_level(logging.DEBUG):
        logger.debug("GET /api?token=%s HTTP/1.1", value)
    assert "s3cr3t-private-key" not in caplog.text
    assert "token=***" in caplog.text


def test_an_unset_variable_is_an_error_naming_it() -> None:
    from reconciler.errors import ConfigError

    with pytest.raises(ConfigError, match="CW_CLIENT_ID, which is not set; export CW_CLIENT_ID"):
        resolve("env:CW_CLIENT_ID", {}, setting="psa.client_id")


@pytest.mark.parametrize(
    ("raw", "held"), [("", "nothing"), ("   ", "only spaces"), ("\n", "only spaces or line breaks")]
)
def test_a_variable_set_to_nothing_usable_is_told_apart_from_an_unset_one(raw: str, held: str) -> None:
    """A secret of spaces was taken as set (and refused by the vendor, a 401 with no hint);
    one of a line break was said to be unset."""
    from reconciler.errors import ConfigError

    with pytest.raises(ConfigError, match=f"AT_SECRET, which is set but holds {held}"):
        resolve("env:AT_SECRET", {"AT_SECRET": raw}, setting="psa.secret")


def test_vendor_text_echoing_a_secret_is_masked_in_errors_and_the_journal(tmp_path) -> None:
    from reconciler.apply.apply import apply_plan
    from reconciler.apply.journal import Journal, read_journal
    from tests.engine.test_apply import RecordingTarget, change, plan_of

    secret = resolve("env:AT_SECRET", {"AT_SECRET": "hunter2-autotask-secret"}, setting="psa.secret")

    class EchoingTarget(RecordingTarget):
        def write(self, c):
            from reconciler.errors import ProviderError

            raise ProviderError(f"Autotask POST /ContractServiceAdjustments: HTTP 500: user secret {secret} rejected")

    result = apply_plan(plan_of(change("alpha", "P1")), EchoingTarget(), Journal(tmp_path, "r1"))
    (failure,) = result.failed
    assert secret not in failure.why and "***" in failure.why
    assert secret not in (tmp_path / ".ncesync" / "journal.jsonl").read_text()
    assert read_journal(tmp_path)[0]["error"].endswith("user secret *** rejected")


def test_connectwise_lock_names_do_not_carry_the_company_id() -> None:
    from providers.connectwise.client import ConnectWiseClient
    from providers.connectwise.provider import ConnectWiseProvider

    client = ConnectWiseClient(
        "https://api-na.myconnectwise.net", company_id="acmecorp", public_key="p", private_key="k", client_id="c"
    )
    provider = ConnectWiseProvider(client, site="https://api-na.myconnectwise.net", company_id="acmecorp")
    assert "acmecorp" not in provider.tenant_key()


def test_the_sync_date_is_the_calendar_date_in_the_msp_time_zone(monkeypatch) -> None:
    """13:30 UTC on 26 Nov is already 27 Nov in Auckland: the run must stamp the 27th."""
    from datetime import date, datetime, timezone

    import reconciler.run.runtime as runtime

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 26, 13, 30, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(runtime, "datetime", Frozen)
    assert runtime.today_in("Pacific/Auckland") == date(2026, 11, 27)
    assert runtime.today_in("Australia/Perth") == date(2026, 11, 26)


def test_a_source_plugin_named_as_the_psa_is_a_clear_error() -> None:
    from dataclasses import replace
    from datetime import date

    import pytest as _pytest

    from reconciler.errors import ConfigError
    from reconciler.model import ProviderConfig
    from reconciler.run.runtime import Runtime
    from reconciler.specs import load_deployment
    from tests.engine.conftest import GOOD

    deployment = load_deployment(GOOD)
    wrong = ProviderConfig(name="dickerdata", endpoint="https://b2b-api.dickerdata.com.au")
    deployment = replace(deployment, settings=replace(deployment.settings, psa=wrong))
    environ = {"DD_ACCOUNT_CODE": "acct", "DD_ACCESS_TOKEN": "token-1"}
    with (
        _pytest.raises(ConfigError, match="psa.provider 'dickerdata' cannot be used as the psa"),
        Runtime(deployment, sync_date=date(2024, 6, 15), environ=environ),
    ):
        pass


def test_an_unknown_provider_lists_the_installed_ones() -> None:
    import pytest as _pytest

    from reconciler.errors import ConfigError
    from reconciler.run.plugins import provider_class

    with _pytest.raises(
        ConfigError, match=r"unknown provider 'halo' \(installed providers: .*autotask.*connectwise.*dickerdata"
    ):
        provider_class("halo")
