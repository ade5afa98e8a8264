"""Host ownership across namespaces: one host, one ClusterIngress, for every backend.

Worlds are built in the real in-memory store with a fake clock (so
``creationTimestamp`` orders the claimants) and settled with the real
ClusterIngress reconciler and the real, entry-point-registered backends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

import kingress
from kingress.api.annotations import INGRESS_LABEL
from kingress.backends import BackendRegistry
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import CLUSTER_INGRESS, GRANTED_HOSTS, IngressReconciler
from kingress.controller.reconciler import Context
from kingress.controller.settle import settle
from kingress.frozen import thaw
from kingress.ingress import pipeline
from kingress.plugin.manager import build_registry
from kingress.testing import ingress, path, rule, split, tls

Object = dict[str, Any]
IN_TREE = ("istio", "contour", "nginx", "ingress-nginx", "envoy")
LOCAL, EXTERNAL = kingress.Visibility.CLUSTER_LOCAL, kingress.Visibility.EXTERNAL_IP
REGISTRY = build_registry()


def claim(
    namespace: str,
    name: str,
    hosts: Sequence[str],
    *,
    backend: str = "envoy",
    visibility: kingress.Visibility = EXTERNAL,
    tls_hosts: Sequence[str] = (),
) -> Object:
    """A ClusterIngress of ``backend``'s class routing ``hosts`` to one Service."""
    rules = [
        rule(hosts, paths=[path(splits=[split("app", namespace=namespace)])], visibility=visibility)
    ]
    entries = [tls(tls_hosts, "cert", namespace)] if tls_hosts else []
    obj = ingress(
        name, namespace=namespace, rules=rules, tls_entries=entries, ingress_class=backend
    ).to_dict()
    obj["metadata"].pop("uid")
    return obj


class World:
    """A store whose objects get increasing creation times, and one reconciler for it."""

    def __init__(self, registry: BackendRegistry = REGISTRY) -> None:
        self.clock = FakeClock()
        self.store = MemoryCluster(clock=self.clock.now)
        self.reconciler = IngressReconciler(registry)

    def create(self, *objects: Object) -> None:
        for obj in objects:
            self.store.create(obj)
            self.clock.advance(1)

    def settle(self) -> None:
        report = settle(self.store, [self.reconciler], self.clock)
        assert report.transient_errors == []

    def reconcile(self, namespace: str, name: str) -> None:
        ref = ObjectRef(CLUSTER_INGRESS, namespace, name)
        self.reconciler.reconcile(Context(self.store, self.clock), ref)

    def triggered(self, since: int) -> set[ObjectRef]:
        """The other ingresses the reconciler's watches map the changes after ``since`` to."""
        mappers = [w.mapper for w in self.reconciler.watches() if w.kind == CLUSTER_INGRESS]
        return {
            target
            for event in self.store.events_since(since)
            if Kind.of(event.object) == CLUSTER_INGRESS
            for mapper in mappers
            for target in mapper(event.object)
            if target != ObjectRef.of(event.object)
        }

    def get(self, namespace: str, name: str) -> Object:
        return self.store.get(CLUSTER_INGRESS, namespace, name)

    def edit(self, namespace: str, name: str, hosts: Sequence[str]) -> None:
        obj = thaw(self.get(namespace, name))
        obj["spec"]["rules"][0]["hosts"] = list(hosts)
        self.store.update(obj)

    def condition(self, namespace: str, name: str) -> tuple[str, str | None, str | None]:
        status = self.get(namespace, name).get("status") or {}
        ready = next(c for c in status["conditions"] if c["type"] == "NetworkConfigured")
        return ready["status"], ready.get("reason"), ready.get("message")

    def children(self, namespace: str, name: str) -> list[Object]:
        """Every object labelled for the ingress, of every kind in the store."""
        return [
            obj
            for kind in self.store.kinds()
            for obj in self.store.list(kind, namespace, {INGRESS_LABEL: name})
        ]

    def serves(self, namespace: str, name: str, host: str) -> bool:
        """Whether any object applied for the ingress mentions ``host``."""
        return any(host in json.dumps(obj) for obj in self.children(namespace, name))


CONFIGURED = ("True", None, None)


def conflict(*hosts_and_owners: str) -> tuple[str, str, str]:
    """NetworkConfigured=False DomainConflict naming each (host, owner) pair given."""
    pairs = zip(hosts_and_owners[::2], hosts_and_owners[1::2], strict=True)
    message = "; ".join(
        f'host "{host}" is already claimed by ClusterIngress {owner}' for host, owner in pairs
    )
    return ("False", "DomainConflict", message)


@pytest.mark.parametrize("backend", IN_TREE)
def test_the_first_claimant_keeps_a_host_and_a_later_one_is_rejected_whole(backend: str) -> None:
    world = World()
    world.create(
        claim("alpha", "first", ["shared.example.com"], backend=backend),
        claim("beta", "later", ["shared.example.com", "own.example.com"], backend=backend),
    )
    world.settle()
    assert world.condition("alpha", "first") == CONFIGURED
    assert world.serves("alpha", "first", "shared.example.com")
    assert world.condition("beta", "later") == conflict("shared.example.com", "alpha/first")
    assert world.children("beta", "later") == []
    ready = next(
        c for c in world.get("beta", "later")["status"]["conditions"] if c["type"] == "Ready"
    )
    assert (ready["status"], ready["reason"]) == ("False", "DomainConflict")


@pytest.mark.parametrize("backend", IN_TREE)
def test_a_deleted_owner_releases_its_host_to_the_waiting_ingress(backend: str) -> None:
    world = World()
    world.create(
        claim("alpha", "first", ["shared.example.com"], backend=backend),
        claim("beta", "later", ["shared.example.com"], backend=backend),
    )
    world.settle()
    world.store.delete(CLUSTER_INGRESS, "alpha", "first")
    world.settle()
    assert world.condition("beta", "later") == CONFIGURED
    assert world.serves("beta", "later", "shared.example.com")


def test_the_waiting_ingress_is_reconciled_again_when_its_owner_goes() -> None:
    world = World()
    world.create(
        claim("alpha", "first", ["shared.example.com"]),
        claim("beta", "later", ["shared.example.com"]),
        claim("gamma", "other", ["other.example.com"]),
    )
    world.settle()
    since = world.store.resource_version
    world.store.delete(CLUSTER_INGRESS, "alpha", "first")
    assert world.triggered(since) == {ObjectRef(CLUSTER_INGRESS, "beta", "later")}


def test_the_waiting_ingress_is_reconciled_again_when_its_owner_lets_the_host_go() -> None:
    world = World()
    world.create(
        claim("alpha", "first", ["shared.example.com", "a.example.com"]),
        claim("beta", "later", ["shared.example.com"]),
    )
    world.settle()
    world.edit("alpha", "first", ["a.example.com"])
    since = world.store.resource_version
    world.reconcile("alpha", "first")
    assert world.triggered(since) == {ObjectRef(CLUSTER_INGRESS, "beta", "later")}


def test_an_owner_dropping_the_host_releases_it() -> None:
    world = World()
    world.create(
        claim("alpha", "first", ["shared.example.com", "a.example.com"]),
        claim("beta", "later", ["shared.example.com"]),
    )
    world.settle()
    world.edit("alpha", "first", ["a.example.com"])
    world.settle()
    assert world.condition("beta", "later") == CONFIGURED
    assert not world.serves("alpha", "first", "shared.example.com")
    assert world.serves("beta", "later", "shared.example.com")


def test_an_older_ingress_adding_a_host_cannot_take_it_from_its_holder() -> None:
    world = World()
    world.create(
        claim("alpha", "older", ["a.example.com"]), claim("beta", "newer", ["b.example.com"])
    )
    world.settle()
    world.edit("alpha", "older", ["a.example.com", "b.example.com"])
    world.settle()
    assert world.condition("beta", "newer") == CONFIGURED
    assert world.condition("alpha", "older") == conflict("b.example.com", "beta/newer")
    assert world.children("alpha", "older") == []
    assert world.get("alpha", "older")["status"]["annotations"][GRANTED_HOSTS] == "a.example.com"


def test_a_rejected_ingress_keeps_its_other_hosts_granted() -> None:
    world = World()
    world.create(
        claim("alpha", "owner", ["shared.example.com"]),
        claim("beta", "mine", ["mine.example.com"]),
    )
    world.settle()
    world.edit("beta", "mine", ["mine.example.com", "shared.example.com"])
    world.create(claim("gamma", "squatter", ["mine.example.com"]))
    world.settle()
    assert world.condition("beta", "mine")[1] == "DomainConflict"
    assert world.condition("gamma", "squatter") == conflict("mine.example.com", "beta/mine")
    assert world.children("gamma", "squatter") == []


def test_equal_creation_times_are_ordered_by_namespace_and_name_whatever_the_reconcile_order() -> (
    None
):
    for order in (("beta", "alpha"), ("alpha", "beta")):
        store = MemoryCluster(clock=FakeClock().now)
        for namespace in ("beta", "alpha"):
            store.create(claim(namespace, "same", ["shared.example.com"]))
        reconciler = IngressReconciler(REGISTRY)
        ctx = Context(store, FakeClock())
        for namespace in order:
            reconciler.reconcile(ctx, ObjectRef(CLUSTER_INGRESS, namespace, "same"))
        alpha = store.get(CLUSTER_INGRESS, "alpha", "same")["status"]["conditions"]
        beta = store.get(CLUSTER_INGRESS, "beta", "same")["status"]["conditions"]
        assert _reason(alpha) is None, order
        assert _reason(beta) == "DomainConflict", order


def test_a_rejected_older_claimant_blocks_nobody() -> None:
    world = World()
    world.create(
        claim("alpha", "oldest", ["x.example.com"]), claim("beta", "holder", ["g.example.com"])
    )
    world.settle()
    # The oldest now also wants g (held by beta, so it is rejected) and h, which
    # nobody holds: the newer gamma gets h, since a rejected ingress blocks nobody.
    world.edit("alpha", "oldest", ["g.example.com", "h.example.com"])
    world.create(claim("gamma", "newest", ["h.example.com"]))
    world.settle()
    assert world.condition("beta", "holder") == CONFIGURED
    assert world.condition("gamma", "newest") == CONFIGURED
    assert world.condition("alpha", "oldest") == conflict(
        "g.example.com", "beta/holder", "h.example.com", "gamma/newest"
    )


def test_a_restarted_controller_reaches_the_same_owners_and_writes_nothing() -> None:
    world = World()
    world.create(
        claim("beta", "owner", ["shared.example.com"]),
        claim("alpha", "waiting", ["shared.example.com"]),
    )
    world.settle()
    before = world.store.resource_version
    world.reconciler = IngressReconciler(REGISTRY)
    world.settle()
    assert world.store.resource_version == before
    assert world.condition("alpha", "waiting") == conflict("shared.example.com", "beta/owner")


def invalid_claim(namespace: str, name: str, hosts: Sequence[str]) -> Object:
    """A ClusterIngress naming ``hosts`` whose splits total 90%: invalid, so it claims nothing."""
    obj = claim(namespace, name, hosts)
    obj["spec"]["rules"][0]["http"]["paths"][0]["splits"][0]["percent"] = 90
    return obj


def test_a_restarted_controller_validates_each_stored_ingress_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The index loads claims unvalidated; in a settled world none needs verifying."""
    world = World()
    world.create(*(claim("alpha", f"i{n}", [f"h{n}.example.com"]) for n in range(4)))
    world.create(invalid_claim("alpha", "bad", ["h0.example.com"]))
    world.settle()
    prepared: list[str] = []
    real = pipeline.prepare

    def counting(ingress: kingress.ClusterIngress) -> pipeline.Prepared:
        prepared.append(ingress.metadata.name)
        return real(ingress)

    monkeypatch.setattr(pipeline, "prepare", counting)
    before = world.store.resource_version
    world.reconciler = IngressReconciler(REGISTRY)
    world.reconcile("alpha", "i1")  # loads the index
    assert prepared == ["i1"]
    world.settle()
    assert world.store.resource_version == before
    assert sorted(prepared) == ["bad", "i0", "i1", "i2", "i3"]


@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_after_a_restart_an_older_claimant_blocks_only_if_its_spec_is_valid(valid: bool) -> None:
    """A loaded claim overstates an invalid spec's hosts until verified; verifying decides."""
    world = World()
    older = claim if valid else invalid_claim
    world.create(older("alpha", "older", ["shared.example.com"]))
    world.create(claim("beta", "newer", ["shared.example.com"]))
    # A restarted controller reaches the newer one first: nobody holds the host yet.
    world.reconcile("beta", "newer")
    if valid:
        assert world.condition("beta", "newer") == conflict("shared.example.com", "alpha/older")
    else:
        assert world.condition("beta", "newer") == CONFIGURED
        assert world.serves("beta", "newer", "shared.example.com")


def test_after_a_restart_a_released_host_wakes_only_a_valid_waiter() -> None:
    """The waiters of a released host are verified: an invalid one is not woken."""
    world = World()
    world.create(claim("alpha", "owner", ["shared.example.com"]))
    world.settle()
    world.create(claim("beta", "valid", ["shared.example.com"]))
    world.create(invalid_claim("gamma", "invalid", ["shared.example.com"]))
    world.reconciler = IngressReconciler(REGISTRY)
    world.reconcile("alpha", "owner")  # loads the index; the others are not reconciled yet
    before = world.store.resource_version
    world.store.delete(CLUSTER_INGRESS, "alpha", "owner")
    assert world.triggered(before) == {ObjectRef(CLUSTER_INGRESS, "beta", "valid")}


def test_two_recorded_holders_are_resolved_for_the_older_and_the_other_stops_serving() -> None:
    world = World()
    world.create(claim("alpha", "older", ["shared.example.com"]))
    world.settle()
    # A second controller (or an old release) granted the host again, unaware.
    world.create(claim("beta", "newer", ["other.example.com"]))
    world.settle()
    world.edit("beta", "newer", ["shared.example.com"])
    newer = thaw(world.get("beta", "newer"))
    newer["status"]["annotations"][GRANTED_HOSTS] = "shared.example.com"
    world.store.update_status(newer)
    world.reconciler = IngressReconciler(REGISTRY)
    world.settle()
    assert world.condition("alpha", "older") == CONFIGURED
    assert world.condition("beta", "newer") == conflict("shared.example.com", "alpha/older")
    assert world.children("beta", "newer") == []
    assert GRANTED_HOSTS not in world.get("beta", "newer")["status"].get("annotations", {})


@pytest.mark.parametrize(
    ("hosts", "visibility"),
    [
        pytest.param(
            ["app.victim.svc.cluster.local"], kingress.Visibility.CLUSTER_LOCAL, id="local"
        ),
        pytest.param(["app.victim.svc.cluster.local"], kingress.Visibility.EXTERNAL_IP, id="full"),
        pytest.param(["app.victim.svc"], kingress.Visibility.EXTERNAL_IP, id="short"),
    ],
)
def test_a_cluster_local_name_of_another_namespace_is_never_granted(
    hosts: list[str], visibility: kingress.Visibility
) -> None:
    world = World()
    world.create(claim("evil", "squat", hosts, visibility=visibility))
    world.settle()
    status, reason, message = world.condition("evil", "squat")
    assert (status, reason) == ("False", "DomainConflict")
    assert f'host "{hosts[0]}" is reserved for namespace victim' in str(message)
    assert world.children("evil", "squat") == []
    world.create(
        claim(
            "victim",
            "app",
            ["app.victim.svc.cluster.local"],
            visibility=kingress.Visibility.CLUSTER_LOCAL,
        )
    )
    world.settle()
    assert world.condition("victim", "app") == CONFIGURED


def test_a_short_form_of_a_cluster_local_name_is_a_claim_too() -> None:
    world = World()
    world.create(
        claim(
            "victim",
            "app",
            ["app.victim.svc.cluster.local"],
            visibility=kingress.Visibility.CLUSTER_LOCAL,
        ),
        claim("evil", "squat", ["app.victim"]),
    )
    world.settle()
    assert world.condition("evil", "squat") == conflict("app.victim", "victim/app")


def test_tls_hosts_are_claims() -> None:
    world = World()
    world.create(
        claim("victim", "shop", ["shop.example.com"]),
        claim("evil", "certs", ["evil.example.com"], tls_hosts=["shop.example.com"]),
    )
    world.settle()
    assert world.condition("evil", "certs") == conflict("shop.example.com", "victim/shop")


def test_an_ingress_of_an_unclaimed_class_claims_nothing() -> None:
    world = World()
    world.create(
        claim("alpha", "elsewhere", ["shared.example.com"], backend="kourier"),
        claim("beta", "here", ["shared.example.com"]),
    )
    world.settle()
    assert world.condition("beta", "here") == CONFIGURED
    assert "status" not in world.get("alpha", "elsewhere")


@pytest.mark.parametrize("backend", IN_TREE)
def test_a_backend_in_another_namespace_is_refused_for_every_backend(backend: str) -> None:
    world = World()
    obj = claim("team", "hello", ["hello.example.com"], backend=backend)
    obj["spec"]["rules"][0]["http"]["paths"][0]["splits"][0]["serviceNamespace"] = "kube-system"
    world.create(obj)
    world.settle()
    assert world.condition("team", "hello") == (
        "False",
        "ValidationFailed",
        "service namespace must match ingress namespace: "
        "spec.rules[0].http.paths[0].splits[0].serviceNamespace",
    )
    assert world.children("team", "hello") == []


def _reason(conditions: list[Object]) -> str | None:
    return next(c for c in conditions if c["type"] == "NetworkConfigured").get("reason")
