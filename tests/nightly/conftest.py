"""The nightly-run suite: the CLI in-process (the `run` fixture of the e2e tests) and in
subprocesses, against the embedded or a served sandbox."""

from __future__ import annotations

from tests.e2e.conftest import run  # noqa: F401 - the same CLI fixture as the e2e tests
