"""Connections between the vendor clients and the sandbox: a process's clients share their
kept-alive connections, and a stopped sandbox ends the ones it held, so that a client never
talks to a sandbox that was stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.http import HttpClient
from providers.sandbox import SandboxServer
from providers.transport import shared
from reconciler.errors import ProviderError


def test_the_clients_of_a_process_share_one_transport_per_pool_size() -> None:
    assert HttpClient("https://a.example").transport is HttpClient("https://b.example").transport
    assert HttpClient("https://a.example", pool_size=24).transport is shared(24)
    assert shared(24) is not shared(10)


def _call(client: HttpClient) -> None:
    with pytest.raises(ProviderError, match="HTTP 404"):
        client.read("GET", "/nowhere")


def test_a_stopped_sandbox_ends_the_connections_it_held(world_path: Path) -> None:
    first = SandboxServer(world_path).start()
    port = int(first.url.rsplit(":", 1)[1])
    client = HttpClient(first.url)
    _call(client)  # the connection stays open in the client's pool
    first.stop()
    second = SandboxServer(world_path, port=port).start()
    try:
        _call(client)
        assert second.counts.total() == 1  # answered by the sandbox that runs now
        assert first.counts.total() == 1
    finally:
        second.stop()
