"""`ncesync validate` checks TinyPSA's own `psa:` block against the schema the provider
declares (`settings_schema`), offline, naming the file, line and option."""

from __future__ import annotations

from pathlib import Path

import yaml
from reconciler.specs import validate_deployment


def _deployment(root: Path, psa: dict) -> Path:
    specs = root / "specs"
    (specs / "clients").mkdir(parents=True)
    settings = {
        "sync": {"type": "daily", "timezone": "Australia/Sydney"},
        "source": {"provider": "dickerdata", "endpoint": "sandbox"},
        "psa": psa,
        "billing": {"style": "advance", "prorate": False},
        "sandbox": {"world": "sandbox/world.json"},
    }
    (specs / "settings.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (specs / "products.yaml").write_text(yaml.safe_dump({"products": {}}))
    return root


def test_a_misspelt_option_is_found_by_validate(tmp_path: Path) -> None:
    root = _deployment(tmp_path, {"provider": "tinypsa", "endpoint": "http://127.0.0.1:1", "tokn": "env:TINYPSA_TOKEN"})
    _, problems = validate_deployment(root)
    texts = [str(p) for p in problems]
    assert any("settings.yaml" in t and "/psa" in t and "'token' is a required property" in t for t in texts), texts
    assert any("'tokn' was unexpected" in t for t in texts), texts


def test_a_correct_block_passes(tmp_path: Path) -> None:
    root = _deployment(
        tmp_path, {"provider": "tinypsa", "endpoint": "http://127.0.0.1:1", "token": "env:TINYPSA_TOKEN"}
    )
    _, problems = validate_deployment(root)
    assert [str(p) for p in problems if "/psa" in str(p)] == []
