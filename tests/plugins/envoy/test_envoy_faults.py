"""The gateway when things break under it: Envoy killed mid-update, config files unwritable.

Envoy SIGKILLed while an apply is between two of its steps is restarted from
the last good state, and the apply is retried once on the new Envoy: it is
then served, or, if Envoy dies again, refused with the last good config
serving. A configuration file that cannot be written (here: a file size limit,
``RLIMIT_FSIZE``, which refuses the write as a full disk would, even for root)
is reported as ``WriteFailed`` naming the file and the errno, the last good
config keeps serving, the ingress's status says so, and the same snapshot
applies once the disk has room again.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.plugins.envoy.harness import EchoServer, Harness, envoy_or_skip, file_size_limit, simple

from kingress_envoy.gateway import EnvoyGateway, GatewayPorts

HOST = "faults.example.com"


class KillOnWrite:
    """Kills Envoy (SIGKILL) each time the clusters file is rewritten, ``times`` times.

    An apply's first step rewrites the clusters file and then waits for Envoy to
    take it: the kill lands inside the apply, between its steps.
    """

    def __init__(self, gateway: EnvoyGateway, times: int) -> None:
        self.gateway = gateway
        self.left = times
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _inode(self) -> int:
        try:
            return self.gateway.layout.cds.stat().st_ino
        except FileNotFoundError:
            return 0

    def _watch(self) -> None:
        seen = self._inode()
        deadline = time.monotonic() + 30
        while self.left and not self._stop.is_set() and time.monotonic() < deadline:
            current = self._inode()
            process = self.gateway.process
            if current != seen and process is not None and process.alive():
                process.signal(signal.SIGKILL)
                self.left -= 1
                self.kills += 1
            seen = current
            time.sleep(0.0005)

    def __enter__(self) -> KillOnWrite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@pytest.fixture
def harness(upstreams: dict[str, EchoServer]) -> Iterator[Harness]:
    binary = envoy_or_skip()
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1) as gateway:
        yield Harness(gateway, upstreams)


def _wait_running(gateway: EnvoyGateway) -> None:
    assert gateway.wait_running(30), "Envoy was not restarted"


def test_envoy_killed_mid_update_is_restarted_and_the_update_lands(harness: Harness) -> None:
    harness.apply(simple("faults", HOST, "a"))
    snapshot, (new_hash,) = harness.snapshot([simple("faults", HOST, "b")])
    with KillOnWrite(harness.gateway, times=1) as killer:
        result = harness.gateway.apply(snapshot, timeout=30)
    assert killer.kills == 1
    assert result.accepted, result
    assert harness.gateway.restarts == 1
    assert harness.gateway.serves(new_hash, HOST)
    status, echo = harness.get(HOST)
    assert (status, echo["name"]) == (200, "b")


def test_envoy_killed_on_every_attempt_keeps_serving_the_last_good_config(
    harness: Harness,
) -> None:
    (good_hash,) = harness.apply(simple("faults", HOST, "a"))
    snapshot, _ = harness.snapshot([simple("faults", HOST, "b")])
    with KillOnWrite(harness.gateway, times=2) as killer:
        result = harness.gateway.apply(snapshot, timeout=30)
    assert killer.kills == 2
    assert (result.accepted, result.reason) == (False, "EnvoyExited")
    assert result.served == {"default/faults": good_hash}
    _wait_running(harness.gateway)
    assert harness.gateway.restarts == 2
    assert harness.gateway.serves(good_hash, HOST)
    assert harness.get(HOST)[1]["name"] == "a"
    # And the next apply goes through.
    harness.apply(simple("faults", HOST, "c"))
    assert harness.get(HOST)[1]["name"] == "c"


def test_an_unwritable_config_is_reported_and_the_last_good_one_serves(harness: Harness) -> None:
    (good_hash,) = harness.apply(simple("faults", HOST, "a"))
    snapshot, (new_hash,) = harness.snapshot([simple("faults", HOST, "b")])
    with file_size_limit(16):
        result = harness.gateway.apply(snapshot)
    assert (result.accepted, result.reason, result.stage) == (False, "WriteFailed", "cds")
    cds = harness.gateway.layout.cds
    assert f"cannot write {cds}: File too large (errno 27, EFBIG)" in result.message
    # The last good config keeps serving, and the files on disk are still it.
    assert harness.gateway.serves(good_hash, HOST)
    assert harness.get(HOST)[1]["name"] == "a"
    assert not list(Path(cds.parent).glob(".tmp-*"))
    # Whoever applies the snapshot can surface why (the EnvoyIngressConfig's status).
    status = result.status_for("default/faults", new_hash)
    assert (status["rejectedHash"], status["servedHash"]) == (new_hash, good_hash)
    assert (status["reason"], status["message"]) == ("WriteFailed", result.message)
    # Once the disk has room again, the same snapshot applies.
    assert harness.gateway.apply(snapshot).accepted
    assert harness.get(HOST)[1]["name"] == "b"
