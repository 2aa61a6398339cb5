"""ncesync processes forked from one that has already imported ncesync.

Starting ncesync costs about 0.25 s of CPU, almost all of it importing its modules, and the
nightly suite starts some fifty processes to kill, signal and race. So each test process
starts one fork server (`python -c`, as the processes themselves were started), which
imports ncesync once and forks a child for each command. The child is a process of its own:
its own pid, stdin, stdout and stderr, environment, working folder and signals; it runs
`main()` as `python -c` would, and ends through Python's own exit (atexit, threads, flushed
output). kill -9, SIGTERM and Ctrl-C reach it as they reach a cron job's ncesync.

The server reaps its children and reports each one's exit status (negative: the signal
that ended it, as subprocess says). Messages are JSON over a SOCK_SEQPACKET socket pair;
a request carries the child's stdin and stdout as file descriptors.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

REPO = Path(__file__).parents[2]
SERVE = "from tests.nightly.forkserver import serve; serve(int(__import__('sys').argv[1]))"
MESSAGE = 1 << 20  # the longest request: arguments and environment as JSON


# -- the test's side -----------------------------------------------------------------------


class ForkServer:
    """Thread-safe: tests start processes from several threads at once."""

    def __init__(self, env: dict[str, str]):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        self._channel = ours
        self._lock = threading.Lock()  # one reader of the channel at a time
        self._tokens = itertools.count()
        self._started: dict[int, int] = {}  # request token -> pid
        self._exits: dict[int, int] = {}  # pid -> exit status

    def start(self, args: list[str], env: dict[str, str], cwd: Path) -> ForkedProcess:
        read_end, write_end = os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        token = next(self._tokens)
        request = json.dumps({"token": token, "args": args, "env": env, "cwd": str(cwd)}).encode()
        try:
            with self._lock:
                socket.send_fds(self._channel, [request], [stdin, write_end])
                while token not in self._started:
                    self._receive(timeout=None)
                pid = self._started.pop(token)
        finally:
            os.close(stdin)
            os.close(write_end)  # the child holds the only writer: its end ends the output
        return ForkedProcess(self, pid, read_end)

    def status(self, pid: int, timeout: float | None) -> int | None:
        """The exit status of `pid`; None if it has not ended within `timeout` (0: now)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                if pid in self._exits:
                    return self._exits[pid]
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                # short waits, so that other threads get the channel in between
                self._receive(timeout=0.05 if left is None else min(left, 0.05))

    def _receive(self, timeout: float | None) -> None:
        ready, _, _ = select.select([self._channel], [], [], timeout)
        if not ready:
            return
        message = self._channel.recv(4096)
        if not message:
            raise RuntimeError(f"the fork server ended (exit {self._server.poll()}); see its error above")
        found = json.loads(message)
        if "started" in found:
            self._started[found["token"]] = found["started"]
        else:
            self._exits[found["exited"]] = found["status"]


class ForkedProcess:
    """What the nightly tests use of subprocess.Popen: pid, stdout (text, read as it comes),
    send_signal, communicate and returncode."""

    def __init__(self, server: ForkServer, pid: int, stdout: int):
        self.pid = pid
        self.stdout = open(stdout, encoding="utf-8")  # noqa: SIM115 - closed by communicate
        self.returncode: int | None = None
        self._server = server

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # a pid that ended may be another process's by now
            os.kill(self.pid, sig)

    def communicate(self, timeout: float | None = None) -> tuple[str, None]:
        """All the output (until the process closes it), then the exit status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        out: list[str] = []
        reader = threading.Thread(target=lambda: out.append(self.stdout.read()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            raise subprocess.TimeoutExpired(f"ncesync (pid {self.pid})", timeout or 0)
        self.stdout.close()
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.returncode = self._server.status(self.pid, left)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"ncesync (pid {self.pid})", timeout or 0)
        return out[0], None


# -- the server's side ---------------------------------------------------------------------


def serve(fd: int) -> None:
    """Import ncesync, then fork a child for each request until the test process goes."""
    _import_ncesync()
    channel = socket.socket(fileno=fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd is written
    signal.set_wakeup_fd(wake_write)
    while True:
        ready, _, _ = select.select([channel, wake_read], [], [])
        if wake_read in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_read, 4096)
            _report_exits(channel)
        if channel not in ready:
            continue
        request, fds, _, _ = socket.recv_fds(channel, MESSAGE, 2)
        if not request:
            return  # the test process has ended
        asked = json.loads(request)
        pid = os.fork()
        if pid == 0:
            channel.close()
            _become_ncesync(asked, fds, [wake_read, wake_write])
            raise SystemExit(0)  # main() returned: exit as `python -c` does after it
        for given in fds:
            os.close(given)
        channel.send(json.dumps({"token": asked["token"], "started": pid}).encode())


def _import_ncesync() -> None:
    """What the commands the nightly suite runs import: the command line, every command, and
    the installed providers and sandbox."""
    from reconciler.cli import main

    for where in main.COMMANDS.values():
        importlib.import_module(where.partition(":")[0])
    for group in ("ncesync.providers", "ncesync.sandbox"):
        for point in entry_points(group=group):
            point.load()


def _report_exits(channel: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        channel.send(json.dumps({"exited": pid, "status": os.waitstatus_to_exitcode(status)}).encode())


def _become_ncesync(asked: dict[str, Any], fds: list[int], server_pipe: list[int]) -> None:
    """In the child: the server's signals and descriptors undone, the request's stdin,
    stdout (and stderr with it), environment, folder and arguments; then ncesync's main()."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd in server_pipe:
        os.close(fd)
    stdin, stdout = fds
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.dup2(stdout, 2)
    os.close(stdin)
    os.close(stdout)
    os.chdir(asked["cwd"])
    os.environ.clear()
    os.environ.update(asked["env"])
    time.tzset()
    sys.argv = ["-c", *asked["args"]]
    from reconciler.cli.main import main

    main()
