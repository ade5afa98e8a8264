"""Envoy's launcher: the child dies with the thread that started it, and starts
every time, even while the process serves gRPC.

The second matters because gRPC restarts its threads in a child made by a
plain fork, and they abort it when its descriptors are closed before exec:
a gateway whose Envoy could not start about one time in five while the xDS
server had streams open.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import grpc
import pytest

from kingress_envoy import deathsig
from kingress_envoy.xds_server import XdsServer

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG exists on Linux only"
)

SPAWNS = 40


@pytest.fixture
def grpc_in_use() -> Iterator[None]:
    """An xDS server with a client channel connected to it, as while a gateway runs."""
    server = XdsServer("127.0.0.1")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield
    finally:
        channel.close()
        server.stop()


@pytest.mark.usefixtures("grpc_in_use")
def test_every_spawn_starts_while_grpc_runs() -> None:
    codes = []
    for _ in range(SPAWNS):
        child = deathsig.spawn(
            ["/bin/true"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=True
        )
        _, err = child.communicate(timeout=30)
        codes.append((child.returncode, err.decode(errors="replace").strip()))
    assert codes == [(0, "")] * SPAWNS


def test_the_child_is_killed_when_the_starting_thread_ends() -> None:
    started: list[subprocess.Popen[bytes]] = []
    command = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]

    def start_and_end() -> None:
        child = deathsig.spawn(command, stdout=subprocess.PIPE)
        started.append(child)
        assert child.stdout is not None
        child.stdout.readline()  # the command runs: the request was made before exec

    thread = threading.Thread(target=start_and_end)
    thread.start()
    thread.join()
    (child,) = started
    assert child.wait(timeout=30) == -signal.SIGKILL


def test_a_child_whose_parent_already_ended_does_not_run_the_command() -> None:
    # Parent pid 1 is not ours: as if we had ended before the request was made.
    launcher = [sys.executable, "-I", "-S", deathsig.__file__, "1", "/bin/echo", "ran"]
    result = subprocess.run(launcher, capture_output=True, text=True, timeout=30, check=False)
    assert (result.returncode, result.stdout) == (deathsig.ORPHANED, "")
    assert "parent 1 ended before /bin/echo started" in result.stderr
