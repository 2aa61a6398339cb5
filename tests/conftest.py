"""Suite-wide options: `--slow` also runs the tests marked slow (many-seed simulations)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the slow tests (many seeds)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: many-seed runs, only with --slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
