"""ncesync processes forked from one that has already imported ncesync.

Starting ncesync costs about 0.25 s of CPU, almost all of it importing its modules, and the
nightly suite starts some fifty processes to kill, signal and race. So each test process
starts one fork server (`python -c`, as the processes themselves were started), which
imports ncesync once and forks a child for each command. The child is a process of its own:
its own pid, stdin, stdout and stderr, environment, working folder, time zone and signal
handlers; it runs `main()` as `python -c` would, and ends through Python's own exit
(atexit, threads, flushed output). kill -9, SIGTERM and Ctrl-C reach it as they reach a
cron job's ncesync.

What a child shares with the server, unlike a fresh interpreter: the modules already
imported (and what importing them cached), the hash seed, the interpreter's own settings
(PYTHON* variables and the locale are read when the server starts, not per child),
`sys.orig_argv` and the parent pid. None of it is something ncesync reads.

The server reaps its children and reports each one's exit status (negative: the signal that
ended it, as subprocess says). Messages are JSON over a SOCK_SEQPACKET socket pair (Linux);
a request carries the child's stdin and stdout as file descriptors, and the answer a pidfd
of the child, so that a signal never reaches another process that got a reused pid.
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
MESSAGE = 1 << 17  # the longest request (arguments and environment as JSON); the socket's buffer is larger
START_TIMEOUT = 30.0  # seconds the server may take to fork a child


class ForkServerError(RuntimeError):
    """The fork server ended or stopped answering."""


# -- the test's side -----------------------------------------------------------------------


class ForkServer:
    """Thread-safe: tests start and wait for processes from several threads at once."""

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
        self._started: dict[int, tuple[int, int]] = {}  # request token -> (pid, pidfd)
        self._exits: dict[int, int] = {}  # pid -> exit status, until the pid is given again

    def start(self, args: list[str], env: dict[str, str], cwd: Path) -> ForkedProcess:
        read_end, write_end = os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        token = next(self._tokens)
        request = json.dumps({"token": token, "args": args, "env": env, "cwd": str(cwd)}).encode()
        deadline = time.monotonic() + START_TIMEOUT
        try:
            with self._lock:
                try:
                    socket.send_fds(self._channel, [request], [stdin, write_end])
                except OSError as exc:
                    raise self._gone() from exc
                while token not in self._started:
                    if time.monotonic() > deadline:
                        raise ForkServerError(f"the fork server did not start `ncesync {' '.join(args)}` in time")
                    self._receive(timeout=deadline - time.monotonic())
                pid, pidfd = self._started.pop(token)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(stdin)
            os.close(write_end)  # the child holds the only writer: its end ends the output
        return ForkedProcess(self, pid, pidfd, read_end)

    def status(self, pid: int, timeout: float | None) -> int | None:
        """The exit status of `pid`; None if it has not ended within `timeout` (0: now)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                while self._receive(timeout=0):  # what has come already
                    pass
                if pid in self._exits:
                    return self._exits[pid]
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                # short waits, so that other threads get the channel in between
                self._receive(timeout=0.05 if left is None else min(left, 0.05))

    def close(self) -> None:
        """End the server (it ends once its channel closes); children still running go on."""
        self._channel.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._server.wait(timeout=5)

    def _receive(self, timeout: float) -> bool:
        """Read one message if one comes within `timeout`; whether one came."""
        self._channel.settimeout(max(timeout, 0.0))
        try:
            message, fds, _, _ = socket.recv_fds(self._channel, 4096, 1)
        except (TimeoutError, BlockingIOError):
            return False
        if not message:
            raise self._gone()
        found = json.loads(message)
        if "started" in found:
            self._exits.pop(found["started"], None)  # a pid given again: its old status is not this child's
            self._started[found["token"]] = (found["started"], fds[0])
        else:
            self._exits[found["exited"]] = found["status"]
        return True

    def _gone(self) -> ForkServerError:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._server.wait(timeout=5)
        return ForkServerError(f"the fork server ended (exit {self._server.poll()}); its error is printed above")


class ForkedProcess:
    """What the nightly tests use of subprocess.Popen: pid, stdout (text, read as it comes),
    poll, send_signal, communicate and returncode."""

    def __init__(self, server: ForkServer, pid: int, pidfd: int, stdout: int):
        self.pid = pid
        self.stdout = open(stdout, encoding="utf-8")  # noqa: SIM115 - closed by communicate
        self.returncode: int | None = None
        self._server = server
        self._pidfd = pidfd
        self._reader: threading.Thread | None = None
        self._read: list[str | BaseException] = []

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """As Popen: nothing once the process has ended. The pidfd names this process only,
        even after its pid has been given to another."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, sig)

    def communicate(self, timeout: float | None = None) -> tuple[str, None]:
        """All the output (until the process closes it), then the exit status; called again
        after a TimeoutExpired, it goes on waiting."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._reader is None:
            self._reader = threading.Thread(target=self._read_all, daemon=True)
            self._reader.start()
        self._reader.join(timeout)
        if self._reader.is_alive():
            raise subprocess.TimeoutExpired(f"ncesync (pid {self.pid})", timeout or 0)
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.returncode = self._server.status(self.pid, left)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"ncesync (pid {self.pid})", timeout or 0)
        if self._pidfd >= 0:
            os.close(self._pidfd)
            self._pidfd = -1
        (out,) = self._read
        if isinstance(out, BaseException):
            raise out
        return out, None

    def _read_all(self) -> None:
        try:
            with self.stdout:
                self._read.append(self.stdout.read())
        except Exception as exc:  # given to the caller of communicate
            self._read.append(exc)


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
    waiting = select.poll()
    waiting.register(channel, select.POLLIN)
    waiting.register(wake_read, select.POLLIN)
    while True:
        ready = {fd for fd, _ in waiting.poll()}
        if wake_read in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_read, 4096)
            _report_exits(channel)
        if channel.fileno() not in ready:
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
        pidfd = os.pidfd_open(pid)  # before any reaping: it names this child for good
        socket.send_fds(channel, [json.dumps({"token": asked["token"], "started": pid}).encode()], [pidfd])
        os.close(pidfd)


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
    """In the child: the server's signal handling and descriptors undone, the request's
    stdin, stdout (and stderr with it), environment, time zone, folder and arguments; then
    ncesync's main()."""
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
    # the server's stdio was made for /dev/null; made again for the new descriptors, as a
    # fresh interpreter makes it (stderr line-buffered, backslash escapes)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)  # noqa: SIM115
    os.chdir(asked["cwd"])
    os.environ.clear()
    os.environ.update(asked["env"])
    time.tzset()
    sys.argv = ["-c", *asked["args"]]
    from reconciler.cli.main import main

    main()
