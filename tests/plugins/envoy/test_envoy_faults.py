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
from collections.abc import Iterable, Iterator

import pytest
from tests.plugins.envoy.harness import EchoServer, Harness, envoy_or_skip, file_size_limit, simple

from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.xds_server import TYPE_CLUSTER, XdsResource

HOST = "faults.example.com"


class KillOnClusters:
    """Kills Envoy (SIGKILL) each time the gateway sends it changed clusters, ``times`` times.

    An apply's first step sends the changed clusters and then waits for Envoy
    to acknowledge them: the kill lands inside the apply, between its steps.
    """

    def __init__(self, gateway: EnvoyGateway, times: int) -> None:
        self.gateway = gateway
        self.left = times
        self.kills = 0
        self._patch = pytest.MonkeyPatch()

    def __enter__(self) -> KillOnClusters:
        server = self.gateway.xds
        assert server is not None
        original = server.update

        def update(
            type_url: str, upserts: Iterable[XdsResource] = (), removals: Iterable[str] = ()
        ) -> None:
            upserts = list(upserts)
            original(type_url, upserts, removals)
            process = self.gateway.process
            if type_url == TYPE_CLUSTER and upserts and self.left and process and process.alive():
                process.signal(signal.SIGKILL)
                self.left -= 1
                self.kills += 1

        self._patch.setattr(server, "update", update)
        return self

    def __exit__(self, *exc: object) -> None:
        self._patch.undo()


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
