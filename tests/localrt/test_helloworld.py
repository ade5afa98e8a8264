"""The built-in helloworld sample, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from kingress.localrt.processes import free_port
from kingress.samples.helloworld import HelloServer
from tests.localrt.support import get, wait_until


@pytest.fixture
def server() -> Iterator[HelloServer]:
    with HelloServer(0, "Go Sample v1") as hello:
        thread = threading.Thread(target=hello.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        yield hello
        hello.shutdown()
        thread.join(timeout=5)


def test_greets_the_target(server: HelloServer) -> None:
    answer = get(server.port)
    assert (answer.status, answer.body) == (200, "Hello Go Sample v1!\n")
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_answers_a_probe_by_echoing_its_hash(server: HelloServer) -> None:
    answer = get(server.port, {"K-Network-Probe": "probe", "K-Network-Hash": "abc123"})
    assert (answer.status, answer.body) == (200, "")
    assert answer.headers["K-Network-Hash"] == "abc123"


def test_refuses_a_probe_without_a_hash(server: HelloServer) -> None:
    answer = get(server.port, {"K-Network-Probe": "probe"})
    assert answer.status == 400
    assert "K-Network-Hash" in answer.body


def test_other_probe_values_get_the_greeting(server: HelloServer) -> None:
    answer = get(server.port, {"K-Network-Probe": "queue", "K-Network-Hash": "abc123"})
    assert (answer.status, answer.body) == (200, "Hello Go Sample v1!\n")
    assert "K-Network-Hash" not in answer.headers


def test_keeps_the_connection_alive(server: HelloServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", "/")
        first = connection.getresponse()
        assert (first.version, first.will_close) == (11, False)
        assert first.read() == b"Hello Go Sample v1!\n"
        first_socket = connection.sock
        connection.request("GET", "/")
        assert connection.getresponse().read() == b"Hello Go Sample v1!\n"
        assert connection.sock is first_socket
    finally:
        connection.close()


def test_runs_as_a_module_with_port_and_default_target() -> None:
    port = free_port()
    env = {"PORT": str(port), "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kingress.samples.helloworld"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: _answers(port) or process.poll() is not None, "the sample to listen")
        assert get(port).body == "Hello World!\n"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stderr is not None
    assert f"helloworld: listening on 127.0.0.1:{port}" in process.stderr.read().decode()
    process.stderr.close()


def _answers(port: int) -> bool:
    try:
        get(port)
    except OSError:
        return False
    return True
