"""Connections between the vendor clients and the sandbox: a process's clients share their
kept-alive connections, and a stopped sandbox ends the ones it held, so that a client never
talks to a sandbox that was stopped."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from providers.http import HttpClient
from providers.sandbox import Fault, SandboxServer
from providers.transport import shared
from reconciler.errors import ProviderError
from tests.sandbox.conftest import cw_headers

ADD = {"product": {"id": 3}, "billCustomer": "Billable", "quantity": 2}


def test_the_clients_of_a_process_share_one_transport_per_pool_size() -> None:
    assert HttpClient("https://a.example").transport is HttpClient("https://b.example").transport
    assert HttpClient("https://a.example", pool_size=24).transport is shared(24)
    assert shared(24) is not shared(10)


def test_a_client_made_after_the_proxy_or_ca_settings_changed_reads_them_afresh(monkeypatch, tmp_path) -> None:
    before = shared()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert shared() is not before
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "other.pem"))
    assert shared() is not before


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


def test_an_answer_being_made_when_the_sandbox_stops_still_goes_out(world_path: Path) -> None:
    """A write the sandbox has made is answered even when it stops meanwhile: cut off, the
    client would have to treat a write that happened as one whose outcome is unknown."""
    server = SandboxServer(world_path).start()
    server.faults.add(Fault(kind="slow", delay=5.0, method="POST", times=0))
    client = HttpClient(f"{server.url}/connectwise/v4_6_release/apis/3.0")
    client.headers.update(cw_headers())
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(client.write, "POST", "/finance/agreements/1001/additions", json=ADD)
        while server.writes == 0:  # the request has arrived and waits in its slow fault
            time.sleep(0.01)
        server.stop()
        assert written.result(timeout=10).status_code == 201


def test_a_stopped_sandbox_lets_an_idle_client_see_the_connection_end(world_path: Path) -> None:
    server = SandboxServer(world_path).start()
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as idle:
        request = f"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        idle.sendall(request)
        idle.settimeout(5)
        assert idle.recv(65536).startswith(b"HTTP/1.1 404")
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        assert idle.recv(65536) == b""  # the end of the connection, well before its idle timeout
        stopping.join(timeout=5)


def test_a_client_that_expects_100_continue_gets_it_at_once(world_path: Path) -> None:
    server = SandboxServer(world_path).start()
    port = int(server.url.rsplit(":", 1)[1])
    try:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.settimeout(2)
            conn.sendall(
                b"POST /connectwise/v4_6_release/apis/3.0/finance/agreements/1001/additions HTTP/1.1\r\n"
                + f"Host: 127.0.0.1:{port}\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n".encode()
            )
            assert conn.recv(65536).startswith(b"HTTP/1.1 100 Continue")  # before the body is sent
            conn.sendall(b"{}")
            assert conn.recv(65536).startswith(b"HTTP/1.1 401")  # no credentials
    finally:
        server.stop()
