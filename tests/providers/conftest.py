"""Fixtures every provider test shares."""

from __future__ import annotations

import pytest


class Sleeps(list):
    """A fake `sleep` that remembers the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
