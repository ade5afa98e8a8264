"""Local processes: start the sample server on a free loopback port, probe it, stop it for good.

Every process runs ``python -m kingress.localrt.child <our pid>``: the built-in
``helloworld`` sample with the container's environment and ``PORT`` set to a
port found free by binding port 0. Its output goes to a log file of its own
(``<workdir>/<namespace>/<deployment>-<n>.log``).

Processes never outlive kingress:

- each runs in its own process group (a terminal's Ctrl-C reaches kingress,
  which then stops them), and stopping signals the whole group: SIGTERM, then
  SIGKILL after a bounded wait, and the exit is always reaped;
- every process still running when the interpreter exits is killed (``atexit``);
- if kingress dies without running ``atexit`` (SIGKILL), each child notices its
  parent is gone and exits (``kingress.localrt.child``).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import kingress
from kingress.cluster.port import ObjectRef
from kingress.headers import HASH_HEADER, PROBE_HEADER, PROBE_VALUE
from kingress.localrt.resources import LOOPBACK, ProcessSpec

#: The child entry point run for every image.
CHILD_MODULE = "kingress.localrt.child"
#: How long a stopped process gets to exit on SIGTERM before SIGKILL.
STOP_GRACE = 3.0

_LIVE: set[LocalProcess] = set()
_LIVE_LOCK = threading.Lock()


def _kill_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for process in live:
        process.stop(grace=0)


atexit.register(_kill_all)


class RuntimeClosed(RuntimeError):
    """A process was asked for after the runtime was closed."""


def free_port() -> int:
    """A loopback port nobody listens on right now (the system's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def child_environment(spec: ProcessSpec, port: int) -> dict[str, str]:
    """The container's environment, ``PORT`` and the ``PYTHONPATH`` reaching this kingress.

    Nothing else of kingress's own environment is inherited, as a container
    inherits nothing from the node.
    """
    package_root = Path(kingress.__file__).resolve().parents[1]
    return {**dict(spec.env), "PORT": str(port), "PYTHONPATH": str(package_root)}


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """What can be observed of a running process."""

    pid: int
    port: int
    log: Path
    spec: ProcessSpec


class LocalProcess:
    """One sample server process, serving one Deployment."""

    def __init__(self, spec: ProcessSpec, log: Path) -> None:
        self.spec = spec
        self.log = log
        self.port = free_port()
        with log.open("ab") as out:
            out.write(
                f"# local runtime: serving image {spec.image!r} on port {self.port}\n".encode()
            )
            out.flush()
            self._popen = subprocess.Popen(
                [sys.executable, "-m", CHILD_MODULE, str(os.getpid())],
                env=child_environment(spec, self.port),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        with _LIVE_LOCK:
            _LIVE.add(self)

    @property
    def info(self) -> ProcessInfo:
        """Its pid, port, log file and spec."""
        return ProcessInfo(self._popen.pid, self.port, self.log, self.spec)

    def alive(self) -> bool:
        """Whether it is still running."""
        return self._popen.poll() is None

    def wait_ready(self, timeout: float) -> bool:
        """Whether it answers the network probe within ``timeout`` seconds (False if it exits)."""
        token = secrets.token_hex(8)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            if self._answers_probe(token):
                return True
            time.sleep(0.02)
        return False

    def _answers_probe(self, token: str) -> bool:
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=1.0)
        try:
            connection.request("GET", "/", headers={PROBE_HEADER: PROBE_VALUE, HASH_HEADER: token})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()
        return response.status == 200 and response.getheader(HASH_HEADER) == token

    def log_tail(self, size: int = 2000) -> str:
        """The end of its log, for messages about a failed start."""
        try:
            with self.log.open("rb") as handle:
                handle.seek(max(0, self.log.stat().st_size - size))
                return handle.read().decode(errors="replace").strip()
        except FileNotFoundError:
            return ""

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop its process group: SIGTERM, up to ``grace`` seconds, then SIGKILL; reap it."""
        if self.alive():
            self._signal_group(signal.SIGTERM if grace > 0 else signal.SIGKILL)
            try:
                self._popen.wait(timeout=grace or None)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self._popen.wait()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def _signal_group(self, signum: int) -> None:
        # The leader is not reaped yet, so its group id cannot have been reused.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signum)


def new_log(base: Path) -> Path:
    """A log file of its own: ``<base>-<n>.log`` with the first ``n`` not yet taken."""
    base.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        path = base.with_name(f"{base.name}-{n}.log")
        try:
            path.open("xb").close()
        except FileExistsError:
            n += 1
            continue
        return path


class ProcessTable:
    """The processes of one runtime, one per Deployment, each logging to a file of its own."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._processes: dict[ObjectRef, LocalProcess] = {}
        self._lock = threading.Lock()
        self._closed = False

    def get(self, ref: ObjectRef) -> LocalProcess | None:
        """The process started for ``ref``, running or not."""
        with self._lock:
            return self._processes.get(ref)

    def start(self, ref: ObjectRef, spec: ProcessSpec) -> LocalProcess:
        """Stop ``ref``'s process if any, then start one for ``spec``.

        Its log is ``<workdir>/<namespace>/<name>-<n>.log``.
        """
        self.stop(ref)
        with self._lock:
            if self._closed:
                raise RuntimeClosed("the local runtime is closed")
            process = LocalProcess(spec, new_log(self.workdir / ref.namespace / ref.name))
            self._processes[ref] = process
            return process

    def stop(self, ref: ObjectRef) -> None:
        """Stop and forget ``ref``'s process, if any."""
        with self._lock:
            process = self._processes.pop(ref, None)
        if process is not None:
            process.stop()

    def close(self) -> None:
        """Stop every process; none starts after this."""
        with self._lock:
            self._closed = True
            refs = list(self._processes)
        for ref in refs:
            self.stop(ref)
