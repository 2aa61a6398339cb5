"""A small ConnectWise deployment on the sandbox with `notify:` channels, and the local
receivers the channels point at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from providers.sandbox.generator import generate
from tests.gitops.conftest import TODAY
from tests.notify.receivers import HttpReceiver, SmtpServer


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    generate(root, clients=4, seed=7, today=TODAY)
    return root


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def set_notify(root: Path, *channels: dict[str, Any], **settings: Any) -> None:
    path = root / "specs" / "settings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notify"] = list(channels)
    data.update(settings)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
