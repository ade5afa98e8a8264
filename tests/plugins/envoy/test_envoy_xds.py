"""The delta ADS server: the protocol with a gRPC client of our own, then with a real Envoy.

The client speaks ``DeltaAggregatedResources`` as Envoy does (betterproto2
messages): wildcard and named subscriptions, ACK and NACK by nonce,
``initial_resource_versions`` on a new stream, unsubscribing. With Envoy,
the responses the server sent (how many resources each) show that a change
sends only what changed, in the order that never fails a request, and that a
restarted Envoy gets the whole state.
"""

from __future__ import annotations

import queue
import signal
import time
from collections.abc import Iterator

import grpc
import pytest
from envoy_data_plane.envoy.service.discovery.v3 import (
    DeltaDiscoveryRequest,
    DeltaDiscoveryResponse,
)
from envoy_data_plane.google.rpc import Status
from tests.plugins.envoy.harness import EchoServer, Harness, envoy_or_skip, simple

from kingress import ClusterIngress
from kingress.testing import ingress, path, rule, split
from kingress_envoy import wire
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.xds_server import (
    TYPE_CLUSTER,
    TYPE_ROUTE,
    TYPE_SCOPED_ROUTE,
    Nack,
    XdsResource,
    XdsServer,
    response_bytes,
)

METHOD = "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources"


def cluster(name: str, port: int = 80) -> XdsResource:
    body = {
        "name": name,
        "type": "STATIC",
        "connect_timeout": "1s",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {
                            "endpoint": {
                                "address": {
                                    "socket_address": {"address": "127.0.0.1", "port_value": port}
                                }
                            }
                        }
                    ]
                }
            ],
        },
    }
    return XdsResource.encode(TYPE_CLUSTER, name, body)


def route(name: str, host: str) -> XdsResource:
    body = {"name": name, "virtual_hosts": [{"name": host, "domains": [host]}]}
    return XdsResource.encode(TYPE_ROUTE, name, body)


class Client:
    """One stream to the server, requests sent and responses read one at a time."""

    def __init__(self, port: int) -> None:
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.requests: queue.SimpleQueue[DeltaDiscoveryRequest | None] = queue.SimpleQueue()
        call = self.channel.stream_stream(
            METHOD,
            request_serializer=bytes,
            response_deserializer=DeltaDiscoveryResponse.parse,
        )
        self.responses: Iterator[DeltaDiscoveryResponse] = call(iter(self.requests.get, None))

    def send(self, **fields: object) -> None:
        self.requests.put(DeltaDiscoveryRequest(**fields))  # type: ignore[arg-type]

    def receive(self) -> DeltaDiscoveryResponse:
        return next(self.responses)

    def close(self) -> None:
        self.requests.put(None)
        self.channel.close()


@pytest.fixture
def server() -> Iterator[XdsServer]:
    xds = XdsServer()
    xds.start()
    yield xds
    xds.stop()


def names(response: DeltaDiscoveryResponse) -> list[str]:
    return sorted(r.name for r in response.resources)


def test_the_framed_response_is_what_the_message_encodes() -> None:
    resource = cluster("c")
    framed = response_bytes(TYPE_CLUSTER, "7", [resource], ["gone"])
    parsed = DeltaDiscoveryResponse.parse(framed)
    assert (parsed.type_url, parsed.nonce) == (TYPE_CLUSTER, "7")
    assert parsed.removed_resources == ["gone"]
    (only,) = parsed.resources
    assert (only.name, only.version) == ("c", resource.version)
    expected = wire.encode(
        "envoy.service.discovery.v3.DeltaDiscoveryResponse",
        {
            "type_url": TYPE_CLUSTER,
            "nonce": "7",
            "removed_resources": ["gone"],
            "resources": [
                {
                    "name": "c",
                    "version": resource.version,
                    "resource": {
                        "type_url": TYPE_CLUSTER,
                        "value": bytes(only.resource.value),  # type: ignore[union-attr]
                    },
                }
            ],
        },
    )
    assert DeltaDiscoveryResponse.parse(expected) == parsed


def test_wildcard_ack_nack_and_initial_versions(server: XdsServer) -> None:
    one, two = cluster("one"), cluster("two")
    server.update(TYPE_CLUSTER, [one, two])
    client = Client(server.port)
    try:
        client.send(type_url=TYPE_CLUSTER)  # no names on the first request: wildcard
        first = client.receive()
        assert names(first) == ["one", "two"]
        client.send(type_url=TYPE_CLUSTER, response_nonce=first.nonce)  # ACK
        assert server.wait_synced(0, _soon(), types=[TYPE_CLUSTER]) is None

        changed = cluster("two", 81)
        server.update(TYPE_CLUSTER, [changed], ["one"])
        update = client.receive()
        assert (names(update), update.removed_resources) == (["two"], ["one"])
        client.send(
            type_url=TYPE_CLUSTER,
            response_nonce=update.nonce,
            error_detail=Status(code=3, message="no such thing"),
        )  # NACK
        assert server.wait_synced(0, _soon()) == Nack(TYPE_CLUSTER, "no such thing")
        # Refused: the client still has "one" and the old "two", so going back to them
        # sends nothing; the next response holds only what is new to it.
        server.update(TYPE_CLUSTER, [one, two, cluster("three")])
        again = client.receive()
        assert (names(again), again.removed_resources) == (["three"], [])
    finally:
        client.close()

    # A new stream says what it has: only the rest is sent, and what is gone is removed.
    reconnected = Client(server.port)
    try:
        reconnected.send(
            type_url=TYPE_CLUSTER,
            initial_resource_versions={"one": one.version, "old": "x"},
        )
        response = reconnected.receive()
        assert (names(response), response.removed_resources) == (["three", "two"], ["old"])
    finally:
        reconnected.close()


def test_named_subscriptions(server: XdsServer) -> None:
    server.update(TYPE_ROUTE, [route("r1", "a"), route("r2", "b")])
    client = Client(server.port)
    try:
        client.send(type_url=TYPE_ROUTE, resource_names_subscribe=["r1"])
        first = client.receive()
        assert names(first) == ["r1"]
        client.send(type_url=TYPE_ROUTE, response_nonce=first.nonce)
        assert server.wait_synced(0, _soon(), names={TYPE_ROUTE: ["r1"]}) is None
        # A resource not subscribed to is not sent; one subscribed later is.
        server.update(TYPE_ROUTE, [route("r2", "c")])
        client.send(type_url=TYPE_ROUTE, resource_names_subscribe=["r2"])
        second = client.receive()
        assert names(second) == ["r2"]
        assert dict(server.resources(TYPE_ROUTE))["r2"].version == second.resources[0].version
        # Unsubscribed: its changes and its removal are not sent.
        client.send(
            type_url=TYPE_ROUTE, response_nonce=second.nonce, resource_names_unsubscribe=["r1"]
        )
        assert server.wait_synced(0, _soon()) is None  # the ACK (and the rest) is in
        server.update(TYPE_ROUTE, [route("r1", "d")])
        server.update(TYPE_ROUTE, [route("r2", "e")], ["r1"])
        third = client.receive()
        assert (names(third), third.removed_resources) == (["r2"], [])
    finally:
        client.close()


def _soon() -> float:
    return time.monotonic() + 5


# -- with Envoy -------------------------------------------------------------------------------


@pytest.fixture
def harness(upstreams: dict[str, EchoServer]) -> Iterator[Harness]:
    binary = envoy_or_skip()
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1) as gateway:
        yield Harness(gateway, upstreams)


def _sent(harness: Harness) -> list[tuple[str, int, int]]:
    server = harness.gateway.xds
    assert server is not None
    return server.sent(harness.gateway.stream_floor)


def _split(name: str, host: str, a: int) -> ClusterIngress:
    splits = [split("a", a), split("b", 100 - a)]
    return ingress(name, rules=[rule([host], paths=[path(splits=splits)])])


def test_a_split_change_sends_its_two_route_configurations_only(harness: Harness) -> None:
    others = [simple(f"s{i}", f"s{i}.example.com", "c") for i in range(5)]
    harness.apply(*others, _split("x", "x.example.com", 50))
    before = len(_sent(harness))
    harness.apply(*others, _split("x", "x.example.com", 20))
    # The public and the private route configuration of x.example.com, nothing else.
    assert _sent(harness)[before:] == [(TYPE_ROUTE, 2, 0)]
    assert harness.get("x.example.com")[0] == 200


def test_clusters_come_first_and_go_last(harness: Harness) -> None:
    harness.apply(simple("old", "old.example.com", "a"))
    before = len(_sent(harness))
    harness.apply(simple("new", "new.example.com", "b"))
    sent = _sent(harness)[before:]
    kinds = [(type_url, bool(upserts), bool(removals)) for type_url, upserts, removals in sent]
    added_cluster = kinds.index((TYPE_CLUSTER, True, False))
    added_scopes = kinds.index((TYPE_SCOPED_ROUTE, True, False))
    added_routes = kinds.index((TYPE_ROUTE, True, False))
    removed_scopes = kinds.index((TYPE_SCOPED_ROUTE, False, True))
    removed_cluster = kinds.index((TYPE_CLUSTER, False, True))
    assert added_cluster < added_scopes < added_routes < removed_scopes < removed_cluster
    assert removed_cluster == len(kinds) - 1
    assert harness.get("new.example.com")[1]["name"] == "b"
    assert harness.get("old.example.com")[0] == 404


def test_a_restarted_envoy_gets_the_whole_state(harness: Harness) -> None:
    hashes = harness.apply(
        simple("one", "one.example.com", "a"), simple("two", "two.example.com", "b")
    )
    process = harness.gateway.process
    assert process is not None
    process.signal(signal.SIGKILL)
    process.wait()
    assert harness.gateway.wait_running(30)
    sent = _sent(harness)
    kinds = (TYPE_CLUSTER, TYPE_SCOPED_ROUTE, TYPE_ROUTE)
    totals = {t: sum(n for type_url, n, _ in sent if type_url == t) for t in kinds}
    # Two clusters; a scope and a route configuration per host on each HTTP listener.
    assert totals == {TYPE_CLUSTER: 2, TYPE_SCOPED_ROUTE: 4, TYPE_ROUTE: 4}
    assert harness.gateway.serves(hashes[0], "one.example.com")
    assert harness.gateway.serves(hashes[1], "two.example.com")
