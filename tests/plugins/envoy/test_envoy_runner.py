"""The gateway runner with ``settle``: ClusterIngress → EnvoyIngressConfig → a real Envoy → status.

The ClusterIngress controller and the runner run together over the embedded
store; upstreams are the helloworld sample server in threads on 127.0.0.1
(``Hello <name>!``, and Knative probes answered). One Envoy serves the whole
module; each test's runner syncs it to that test's store. Every wait is
bounded; nothing asserts a duration.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from tests.plugins.envoy.harness import file_size_limit

from kingress import INGRESS_CLASS, ClusterIngress
from kingress.backends import BackendRegistry
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Object, ObjectRef
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import CLUSTER_INGRESS, IngressReconciler
from kingress.controller.reconciler import Context, Reconciler
from kingress.controller.settle import settle
from kingress.samples.helloworld import HelloServer
from kingress.testing import ingress, path, rule, split, tls
from kingress_envoy.backend import INGRESS_CLASS as ENVOY_CLASS
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.binary import EnvoyNotFound, find_envoy
from kingress_envoy.gateway import ApplyResult, EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName
from kingress_envoy.runner import CONFIG_KIND, SECRET, GatewayRunner
from kingress_envoy.snapshot import EnvoySnapshot, empty_snapshot

HOST = "hello.example.com"


@pytest.fixture(scope="module")
def gateway() -> Iterator[EnvoyGateway]:
    try:
        binary = find_envoy()
    except EnvoyNotFound as error:
        pytest.skip(str(error))
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1) as running:
        yield running


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, HelloServer]]:
    servers = {name: HelloServer(0, name) for name in ("v1", "v2", "v3")}
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for thread in threads:
        thread.start()
    yield servers
    for server in servers.values():
        server.shutdown()
        server.server_close()


class World:
    """A store, the ClusterIngress controller and a runner over the module's Envoy (emptied)."""

    def __init__(self, gateway: EnvoyGateway) -> None:
        self.store = MemoryCluster()
        self.gateway = gateway
        if gateway.running:
            assert gateway.apply(empty_snapshot()).accepted
        self.runner = GatewayRunner(gateway)
        registry = BackendRegistry()
        registry.add(EnvoyBackend())
        self.ingresses = IngressReconciler(registry)

    def settle(self, *, with_runner: bool = True) -> None:
        reconcilers: list[Reconciler] = [self.ingresses]
        if with_runner:
            reconcilers.append(self.runner)
        settle(self.store, reconcilers, FakeClock())

    def service(self, name: str, upstream: HelloServer | None) -> None:
        """A revision-like Service ``name`` (port 80 → 8080) and its Endpoints at ``upstream``."""
        self.put(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": "default"},
                "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
            }
        )
        endpoints: Object = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name, "namespace": "default"},
        }
        if upstream is not None:
            endpoints["subsets"] = [
                {
                    "addresses": [{"ip": "127.0.0.1"}],
                    "ports": [{"name": "http", "port": upstream.port}],
                }
            ]
        self.put(endpoints)

    def ingress(self, value: ClusterIngress) -> None:
        obj = value.to_dict()
        obj["metadata"]["annotations"] = {INGRESS_CLASS: ENVOY_CLASS}
        obj["metadata"].pop("uid", None)
        obj.pop("status", None)
        self.put(obj)

    def put(self, obj: Object) -> None:
        ref = ObjectRef.of(obj)
        found = self.store.list(ref.kind, ref.namespace)
        current = next((o for o in found if o["metadata"]["name"] == ref.name), None)
        if current is None:
            self.store.create(obj)
        else:
            self.store.update({**obj, "metadata": {**current["metadata"], **obj["metadata"]}})

    def condition(self, name: str, kind: str = "Ready") -> dict[str, Any]:
        obj = self.store.get(CLUSTER_INGRESS, "default", name)
        conditions = (obj.get("status") or {}).get("conditions") or ()
        return next((c for c in conditions if c["type"] == kind), {})

    def answers(self, host: str, count: int = 1) -> Counter[str]:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.gateway.port(ListenerName.PUBLIC_HTTP), timeout=5
        )
        try:
            found: Counter[str] = Counter()
            for _ in range(count):
                conn.request("GET", "/", headers={"Host": host})
                response = conn.getresponse()
                body = response.read().decode().strip()
                found[body if response.status == 200 else str(response.status)] += 1
            return found
        finally:
            conn.close()


@pytest.fixture
def world(gateway: EnvoyGateway) -> World:
    return World(gateway)


def hello(name: str, host: str, *splits: tuple[str, int]) -> ClusterIngress:
    return ingress(
        name, rules=[rule([host], paths=[path(splits=[split(s, p) for s, p in splits])])]
    )


def test_ready_only_once_envoy_serves_the_hash(
    world: World, upstreams: dict[str, HelloServer]
) -> None:
    world.service("rev-1", upstreams["v1"])
    world.ingress(hello("hello", HOST, ("rev-1", 100)))
    world.settle(with_runner=False)
    assert world.condition("hello")["status"] == "Unknown"
    assert world.condition("hello", "LoadBalancerReady")["reason"] == "Uninitialized"
    assert world.answers(HOST) == Counter({"404": 1})

    world.settle()
    assert world.condition("hello")["status"] == "True"
    config = world.store.get(CONFIG_KIND, "default", "hello")
    assert config["status"]["servedHash"] == config["spec"]["probeHash"]
    assert world.gateway.serves(config["spec"]["probeHash"], HOST)
    assert world.answers(HOST) == Counter({"Hello v1!": 1})
    balancer = world.store.get(CLUSTER_INGRESS, "default", "hello")["status"]
    assert balancer["publicLoadBalancer"] == {"ingress": [{"ip": "127.0.0.1"}]}


def test_a_stopped_gateway_is_not_ready_and_retried(upstreams: dict[str, HelloServer]) -> None:
    world = World(EnvoyGateway(ports=GatewayPorts.ephemeral()))  # never started
    world.service("rev-1", upstreams["v1"])
    world.ingress(hello("hello", HOST, ("rev-1", 100)))
    report = settle(world.store, [world.ingresses, world.runner], FakeClock())
    assert world.condition("hello", "LoadBalancerReady")["reason"] == "GatewayNotRunning"
    assert (world.runner.name, ObjectRef(CONFIG_KIND, "default", "hello")) in report.requeues


def test_an_update_needs_no_writable_disk(world: World, upstreams: dict[str, HelloServer]) -> None:
    world.service("rev-1", upstreams["v1"])
    world.ingress(hello("hello", HOST, ("rev-1", 100)))
    with file_size_limit(16):  # every file write fails, as on a full disk
        world.settle()
    assert world.condition("hello")["status"] == "True"
    assert world.answers(HOST) == Counter({"Hello v1!": 1})


def test_split_changes_are_served(world: World, upstreams: dict[str, HelloServer]) -> None:
    world.service("rev-1", upstreams["v1"])
    world.service("rev-2", upstreams["v2"])
    world.ingress(hello("hello", HOST, ("rev-1", 100)))
    world.settle()
    assert world.answers(HOST) == Counter({"Hello v1!": 1})

    world.ingress(hello("hello", HOST, ("rev-1", 50), ("rev-2", 50)))
    world.settle()
    assert world.condition("hello")["status"] == "True"
    assert set(world.answers(HOST, 100)) == {"Hello v1!", "Hello v2!"}

    world.ingress(hello("hello", HOST, ("rev-2", 100)))
    world.settle()
    assert world.answers(HOST, 20) == Counter({"Hello v2!": 20})


def test_an_endpoints_change_is_translated_and_applied(
    world: World, upstreams: dict[str, HelloServer]
) -> None:
    world.service("rev-1", None)
    world.ingress(hello("hello", HOST, ("rev-1", 100)))
    world.settle()
    assert world.condition("hello")["status"] == "True"
    assert world.answers(HOST) == Counter({"503": 1})  # no endpoints yet

    world.service("rev-1", upstreams["v1"])
    world.settle()
    assert world.answers(HOST) == Counter({"Hello v1!": 1})

    world.service("rev-1", upstreams["v3"])
    world.settle()
    assert world.answers(HOST) == Counter({"Hello v3!": 1})


def test_one_sync_per_batch_and_none_when_nothing_changed(
    world: World, upstreams: dict[str, HelloServer]
) -> None:
    world.service("rev-1", upstreams["v1"])
    for number in range(5):
        world.ingress(hello(f"hello-{number}", f"h{number}.example.com", ("rev-1", 100)))
    world.settle()
    assert (world.runner.assemblies, world.runner.applies) == (1, 1)
    assert all(world.condition(f"hello-{n}")["status"] == "True" for n in range(5))
    assert world.answers("h4.example.com") == Counter({"Hello v1!": 1})

    before = world.store.resource_version
    world.settle()
    assert (world.runner.assemblies, world.runner.applies) == (1, 1)
    assert world.store.resource_version == before, "a second settle must write nothing"

    untouched = world.store.get(CONFIG_KIND, "default", "hello-0")
    world.service("rev-2", upstreams["v2"])
    world.ingress(hello("hello-4", "h4.example.com", ("rev-2", 100)))
    world.settle()
    assert (world.runner.assemblies, world.runner.applies) == (2, 2)
    assert world.answers("h4.example.com") == Counter({"Hello v2!": 1})
    assert world.store.get(CONFIG_KIND, "default", "hello-0") == untouched, (
        "another ingress's change rewrites no other status"
    )


def test_a_domain_conflict_rejects_the_newer_ingress(
    world: World, upstreams: dict[str, HelloServer]
) -> None:
    world.service("rev-1", upstreams["v1"])
    world.service("rev-2", upstreams["v2"])
    world.ingress(hello("first", HOST, ("rev-1", 100)))
    world.settle()
    world.ingress(hello("second", HOST, ("rev-2", 100)))
    world.settle()
    assert world.condition("first")["status"] == "True"
    # The core's host ownership rejects it before translation (the runner's own
    # check is the second line of defence); nothing of it reaches Envoy.
    conflict = world.condition("second", "NetworkConfigured")
    assert (conflict["status"], conflict["reason"]) == ("False", "DomainConflict")
    assert "default/first" in conflict["message"]
    assert world.answers(HOST) == Counter({"Hello v1!": 1})


def test_a_tls_secret_appearing_re_triggers_the_runner(
    world: World, upstreams: dict[str, HelloServer]
) -> None:
    world.service("rev-1", upstreams["v1"])
    secure = ingress(
        "secure",
        rules=[rule(["secure.example.com"], paths=[path(splits=[split("rev-1")])])],
        tls_entries=[tls(["secure.example.com"], "cert")],
    )
    world.ingress(secure)
    world.settle()
    missing = world.condition("secure", "LoadBalancerReady")
    assert (missing["status"], missing["reason"]) == ("False", "TLSSecretMissing")
    (watch,) = world.runner.watches()
    assert watch.kind == SECRET
    secret: Object = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/tls",
        "metadata": {"name": "cert", "namespace": "default"},
        "stringData": {"tls.crt": "not a certificate", "tls.key": "not a key"},
    }
    assert list(watch.mapper(secret)) == [ObjectRef(CONFIG_KIND, "default", "secure")]

    world.store.create(secret)
    world.settle()
    refused = world.condition("secure", "LoadBalancerReady")
    assert (refused["status"], refused["reason"]) == ("False", "EnvoyRejected")


class DeletingGateway:
    """A gateway without Envoy that serves every snapshot (a runner ``Gateway``).

    Its first apply deletes ``victim`` from ``store`` first: a config deleted
    while a sync that listed it is still running.
    """

    def __init__(self, store: MemoryCluster, victim: ObjectRef) -> None:
        self.store = store
        self.victim: ObjectRef | None = victim
        self.snapshot: EnvoySnapshot = empty_snapshot()
        self.running = True

    def apply(self, snapshot: EnvoySnapshot) -> ApplyResult:
        if self.victim is not None:
            self.store.delete(self.victim.kind, self.victim.namespace, self.victim.name)
            self.victim = None
        self.snapshot = snapshot
        return ApplyResult.serving(snapshot)


def serves(gateway: DeletingGateway, host: str) -> bool:
    """Whether the gateway's snapshot routes ``host`` on the public listener."""
    return host in json.dumps(gateway.snapshot.route_config(ListenerName.PUBLIC_HTTP))


def translated_store(*names: str) -> MemoryCluster:
    """A store with an Envoy-class ingress per name (host ``<name>.example.com``), settled
    through the ClusterIngress controller, so their configs exist."""
    store = MemoryCluster()
    registry = BackendRegistry()
    registry.add(EnvoyBackend())
    for name in names:
        obj = hello(name, f"{name}.example.com", ("rev-1", 100)).to_dict()
        obj["metadata"]["annotations"] = {INGRESS_CLASS: ENVOY_CLASS}
        obj["metadata"].pop("uid", None)
        obj.pop("status", None)
        store.create(obj)
    settle(store, [IngressReconciler(registry)], FakeClock())
    return store


def test_a_config_deleted_during_a_sync_is_removed_at_the_next_look() -> None:
    store = translated_store("stays", "goes")
    goes = ObjectRef(CONFIG_KIND, "default", "goes")
    gateway = DeletingGateway(store, goes)
    runner = GatewayRunner(gateway)
    context = Context(cluster=store, clock=FakeClock())

    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "stays"))
    assert serves(gateway, "goes.example.com"), "the sync listed it before the delete"
    # The delete's own event comes next: it must not be taken as already seen.
    runner.reconcile(context, goes)
    assert not serves(gateway, "goes.example.com")
    assert serves(gateway, "stays.example.com")


def test_an_unchanged_config_gets_the_status_a_new_conflict_gives_it() -> None:
    """A sync skips configs whose status cannot change; one that a newcomer pushes out
    (an older config for its host) is not such a one, nor is it once that one is gone."""
    store = translated_store("a", "b")
    gateway = DeletingGateway(store, ObjectRef(CONFIG_KIND, "default", "none"))
    gateway.victim = None
    runner = GatewayRunner(gateway)
    context = Context(cluster=store, clock=FakeClock())
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "a"))
    b = store.get(CONFIG_KIND, "default", "b")
    hash_b = b["spec"]["probeHash"]
    assert b["status"]["servedHash"] == hash_b

    older = {
        "apiVersion": b["apiVersion"],
        "kind": b["kind"],
        "metadata": {"name": "c", "namespace": "default"},
        "spec": {
            **b["spec"],
            "ingress": {
                "name": "c",
                "namespace": "default",
                "creationTimestamp": "2000-01-01T00:00:00Z",
            },
        },
    }
    store.create(older)
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "c"))
    status = store.get(CONFIG_KIND, "default", "b")["status"]
    assert (status["rejectedHash"], status["reason"]) == (hash_b, "DomainConflict")
    assert store.get(CONFIG_KIND, "default", "a")["status"]["servedHash"]

    store.delete(CONFIG_KIND, "default", "c")
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "c"))
    status = store.get(CONFIG_KIND, "default", "b")["status"]
    assert status.get("servedHash") == hash_b and "rejectedHash" not in status


def test_a_config_changed_in_place_changes_the_status_of_the_one_it_pushes_out() -> None:
    """No config comes or goes, so a sync looks only at the changed config's place and at
    those with a problem: c takes b's host as the older claimant, and b, unchanged, is
    rejected; once c lets go of it, b is served again."""
    store = translated_store("a", "b", "c")
    gateway = DeletingGateway(store, ObjectRef(CONFIG_KIND, "default", "none"))
    gateway.victim = None
    runner = GatewayRunner(gateway)
    context = Context(cluster=store, clock=FakeClock())
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "a"))
    b, c = (store.get(CONFIG_KIND, "default", name) for name in ("b", "c"))
    hash_b, hash_c = b["spec"]["probeHash"], c["spec"]["probeHash"]

    older = {**c["spec"]["ingress"], "creationTimestamp": "2000-01-01T00:00:00Z"}
    taking = {**c["spec"], "virtualHosts": b["spec"]["virtualHosts"], "ingress": older}
    store.update({**c, "spec": taking})
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "c"))
    status = store.get(CONFIG_KIND, "default", "b")["status"]
    assert (status["rejectedHash"], status["reason"]) == (hash_b, "DomainConflict")
    assert store.get(CONFIG_KIND, "default", "c")["status"]["servedHash"] == hash_c
    assert serves(gateway, "b.example.com") and not serves(gateway, "c.example.com")

    current = store.get(CONFIG_KIND, "default", "c")
    store.update({**current, "spec": c["spec"]})
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "c"))
    status = store.get(CONFIG_KIND, "default", "b")["status"]
    assert status.get("servedHash") == hash_b and "rejectedHash" not in status
    assert serves(gateway, "c.example.com")
    # Nothing changed since: the next look syncs nothing.
    assemblies = runner.assemblies
    runner.reconcile(context, ObjectRef(CONFIG_KIND, "default", "b"))
    assert runner.assemblies == assemblies
