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
