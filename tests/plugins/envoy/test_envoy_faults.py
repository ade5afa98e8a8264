"""The gateway when things break under it: Envoy killed mid-update, the disk full.

Envoy SIGKILLed while an apply is between two of its steps is restarted from
the last good state, and the apply is retried once on the new Envoy: it is
then served, or, if Envoy dies again, refused with the last good config
serving. Updates go over the xDS stream, not through files: with every file
write refused (``RLIMIT_FSIZE``, as a full disk would, even for root) an update
still applies.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest
from tests.plugins.envoy.harness import EchoServer, Harness, envoy_or_skip, file_size_limit, simple

from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.xds_server import TYPE_CLUSTER

HOST = "faults.example.com"


class KillOnClusters:
    """Kills Envoy (SIGKILL) each time the xDS server sends it changed clusters, ``times`` times.

    An apply's first step sends the changed clusters and then waits for Envoy
    to acknowledge them: the kill lands inside the apply, between its steps. A
    stream's first cluster response (the full state a started Envoy gets) is
    not a change.
    """

    def __init__(self, gateway: EnvoyGateway, times: int) -> None:
        self.gateway = gateway
        self.left = times
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _cluster_updates(self) -> int:
        server = self.gateway.xds
        if server is None:
            return 0
        sent = server.sent(self.gateway.stream_floor)
        return max(0, sum(1 for type_url, _, _ in sent if type_url == TYPE_CLUSTER) - 1)

    def _watch(self) -> None:
        deadline = time.monotonic() + 30
        killed_at = -1  # the stream floor of the Envoy killed last
        while self.left and not self._stop.is_set() and time.monotonic() < deadline:
            process = self.gateway.process
            floor = self.gateway.stream_floor
            if (
                floor != killed_at
                and self._cluster_updates()
                and process is not None
                and process.alive()
            ):
                process.signal(signal.SIGKILL)
                killed_at = floor
                self.left -= 1
                self.kills += 1
            time.sleep(0.0005)

    def __enter__(self) -> KillOnClusters:
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
    with KillOnClusters(harness.gateway, times=1) as killer:
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
    with KillOnClusters(harness.gateway, times=2) as killer:
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


def test_an_update_writes_no_file(harness: Harness) -> None:
    harness.apply(simple("faults", HOST, "a"))
    snapshot, (new_hash,) = harness.snapshot([simple("faults", HOST, "b")])
    with file_size_limit(16):
        result = harness.gateway.apply(snapshot)
    assert result.accepted, result
    assert harness.gateway.serves(new_hash, HOST)
    assert harness.get(HOST)[1]["name"] == "b"
