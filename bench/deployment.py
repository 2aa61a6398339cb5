"""BenchDeployment: a generated sandbox deployment of one size, and fresh copies of its world."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from providers.sandbox.generator import WORLD_REL, generate

TODAY = date(2024, 6, 15)
LICENCES_PER_CLIENT = 8
DRIFT_SHARE = 0.05
SEED = 2024


@dataclass(frozen=True)
class BenchDeployment:
    psa: str
    clients: int
    root: Path

    @classmethod
    def build(cls, workdir: Path, psa: str, clients: int) -> BenchDeployment:
        """Generate once per (psa, size); a later bench run reuses the files."""
        root = workdir / f"{psa}-{clients}"
        if not (root / WORLD_REL).exists():
            generate(
                root,
                clients=clients,
                seed=SEED,
                psa=psa,
                today=TODAY,
                licences_per_client=LICENCES_PER_CLIENT,
                drift_share=DRIFT_SHARE,
            )
        return cls(psa, clients, root)

    def fresh_world(self) -> Path:
        """A working copy of the generated world: every scenario starts from the same state."""
        work = self.root / ".ncesync" / "bench-world.json"
        work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.root / WORLD_REL, work)
        return work
