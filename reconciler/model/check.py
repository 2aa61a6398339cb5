"""One finding of `ncesync doctor`: a named check, whether it passed, and the fix if not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str  # what was checked, e.g. "psa credentials"
    ok: bool
    detail: str  # what was found
    fix: str = ""  # what the user should do when it failed

    def line(self) -> str:
        """The one line doctor prints for it."""
        text = f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text} -- fix: {self.fix}"
