"""`ncesync journal` in the PSA's own words: Autotask says contract, each write shows the
seats before and after, and a failed write shows the PSA's error text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from providers.sandbox.faults import ENV_VAR
from tests.gitops.conftest import DATE, ncesync

EXAMPLE = Path(__file__).parents[2] / "examples" / "autotask-arrears"


@pytest.fixture
def autotask(tmp_path: Path) -> Path:
    root = tmp_path / "autotask"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ncesync"))
    return root


def test_the_autotask_journal_says_contract_and_shows_seats_before_and_after(autotask: Path) -> None:
    assert ncesync("apply", "-C", str(autotask), *DATE, "--auto-approve").code == 0
    text = ncesync("journal", "-C", str(autotask)).stdout
    assert "agreement" not in text
    assert "create_adjustment 9009 on contract 7001" in text
    assert "    seats 22 -> 25 from 2024-06-01\n" in text


def test_a_failed_write_shows_the_psas_error_text(autotask: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, json.dumps([{"kind": "status", "status": 500, "write_index": 1}]))
    assert ncesync("apply", "-C", str(autotask), *DATE, "--auto-approve").code == 1
    text = ncesync("journal", "-C", str(autotask)).stdout
    failed = text[text.index(" failed ") :]
    assert "    seats 22 -> 25 from 2024-06-01\n" in failed
    assert "    error: " in failed and "500" in failed
