"""Every deployment shipped in the repository (the demo and examples/) validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.specs import validate_deployment

REPO = Path(__file__).parents[2]
DEPLOYMENTS = [REPO, *sorted(p.parent.parent for p in REPO.glob("examples/*/specs/settings.yaml"))]


@pytest.mark.parametrize("root", DEPLOYMENTS, ids=lambda p: str(p.relative_to(REPO)) or "demo")
def test_shipped_deployment_is_valid(root: Path) -> None:
    _, problems = validate_deployment(root)
    assert problems == []
    assert (root / "sandbox" / "world.json").exists()
