"""One Envoy process: spawn it, find its admin endpoint, read its log, stop it for good.

Envoy runs with ``--disable-hot-restart`` (several may run at once) and a
unique ``--base-id``, with its admin endpoint on an ephemeral loopback port
published through ``--admin-address-path``. It never outlives us: on Linux it
gets SIGKILL when the thread that spawned it ends (``deathsig``; the
gateway spawns from a thread that lives as long as the gateway), every live
process is killed at interpreter exit, and ``stop`` terminates then kills.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import subprocess
import time
import weakref
from pathlib import Path

from kingress_envoy import deathsig
from kingress_envoy.admin import AdminClient

_LIVE: weakref.WeakSet[EnvoyProcess] = weakref.WeakSet()
_COUNTER = itertools.count()


class EnvoyStartError(RuntimeError):
    """Envoy did not come up; the message carries the end of its log."""


def _kill_all() -> None:
    for process in list(_LIVE):
        process.kill()


atexit.register(_kill_all)


def unique_base_id() -> int:
    """A base id no other Envoy of this machine is likely to use (pid and a counter)."""
    return (os.getpid() % 100_000) * 100 + next(_COUNTER) % 100 + 1


class EnvoyProcess:
    """A running Envoy with its bootstrap, log file and admin client."""

    def __init__(
        self,
        binary: Path,
        bootstrap: Path,
        rundir: Path,
        *,
        concurrency: int | None = None,
        log_level: str = "warning",
        base_id: int | None = None,
    ) -> None:
        self.binary = binary
        self.bootstrap = bootstrap
        self.rundir = rundir
        self.concurrency = concurrency
        self.log_level = log_level
        self.base_id = base_id if base_id is not None else unique_base_id()
        self.log_path = rundir / "envoy.log"
        self.admin_path = rundir / "admin-address"
        self._popen: subprocess.Popen[bytes] | None = None
        self.admin: AdminClient | None = None

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self._popen.pid if self._popen is not None else None

    def command(self) -> list[str]:
        """The Envoy command line."""
        command = [
            str(self.binary),
            "--config-path",
            str(self.bootstrap),
            "--disable-hot-restart",
            "--base-id",
            str(self.base_id),
            "--admin-address-path",
            str(self.admin_path),
            "--log-level",
            self.log_level,
            "--reject-unknown-dynamic-fields",
            "--drain-time-s",
            "1",
        ]
        if self.concurrency:
            command += ["--concurrency", str(self.concurrency)]
        return command

    def spawn(self, *, timeout: float = 15.0) -> None:
        """Start Envoy and wait (bounded) until its admin endpoint answers."""
        self.rundir.mkdir(parents=True, exist_ok=True)
        self.admin_path.unlink(missing_ok=True)
        # Envoy logs to stderr line by line (its --log-path is flushed only every
        # few seconds); the gateway reads rejection messages from this file.
        with self.log_path.open("ab") as log:
            self._popen = deathsig.spawn(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True
            )
        _LIVE.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise EnvoyStartError(
                    f"Envoy exited with {self._popen.returncode} at start-up: {self.log_tail()}"
                )
            address = self._admin_address()
            if address is not None:
                self.admin = AdminClient(*address)
                if self._admin_answers():
                    return
            time.sleep(0.01)
        self.kill()
        raise EnvoyStartError(
            f"Envoy's admin endpoint did not answer in {timeout}s: {self.log_tail()}"
        )

    def _admin_answers(self) -> bool:
        assert self.admin is not None
        try:
            status, _ = self.admin.get("/server_info")
        except OSError:
            return False
        return status == 200

    def _admin_address(self) -> tuple[str, int] | None:
        try:
            text = self.admin_path.read_text().strip()
        except FileNotFoundError:
            return None
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit():
            return None
        return host, int(port)

    def alive(self) -> bool:
        """Whether the process is running."""
        return self._popen is not None and self._popen.poll() is None

    def wait(self) -> int:
        """Block until the process exits; its exit code."""
        assert self._popen is not None
        return self._popen.wait()

    def exited(self, timeout: float) -> bool:
        """Wait (bounded) for the process to exit; whether it did."""
        if self._popen is None:
            return True
        try:
            self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def log_size(self) -> int:
        """The log's current size (to read what is logged after a point)."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset: int) -> str:
        """The log text written after ``offset``."""
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(offset)
                return handle.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, size: int = 2000) -> str:
        """The end of the log, for error messages."""
        return self.log_since(max(0, self.log_size() - size)).strip()

    def signal(self, signum: int) -> None:
        """Send a signal (tests use SIGKILL to simulate a crash)."""
        if self._popen is not None and self._popen.poll() is None:
            self._popen.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL and reap."""
        if self._popen is not None and self._popen.poll() is None:
            self._popen.kill()
        if self._popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=5)
        if self.admin is not None:
            self.admin.close()
        _LIVE.discard(self)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, wait (bounded), then SIGKILL."""
        if self._popen is not None and self._popen.poll() is None:
            self._popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=timeout)
        self.kill()
