"""End to end with ``settle()``: watches re-trigger Routes, and a gradual rollout steps
as a fake clock advances.

The ClusterIngress controller is someone else's; ``ReadyIngress`` plays its
part here (marks every ClusterIngress Ready for its generation with a private
load balancer), so the Route sees the status it would.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from kingress.api.annotations import ROLLOUT_DURATION
from kingress.api.serving import Route
from kingress.cluster.errors import NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Context, Reconciler, Result, Watch
from kingress.controller.settle import settle
from kingress.route.lookups import CONFIGURATION
from kingress.route.reconciler import CLUSTER_INGRESS, ROUTE, RouteReconciler
from tests.route.builders import (
    NS,
    config_map,
    config_target,
    configuration,
    latest_ready,
    not_ready,
    of_configuration,
    ready,
    revision,
    route,
    seed,
    with_annotations,
    with_traffic,
)


@dataclass
class ReadyIngress:
    """A stand-in for the ClusterIngress controller: Ready, with a private LB."""

    name: str = "ready-ingress"
    kind: Kind = CLUSTER_INGRESS

    def watches(self) -> Sequence[Watch]:
        return ()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        try:
            obj = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            return Result()
        status = {
            "observedGeneration": obj["metadata"]["generation"],
            "conditions": [
                {"type": t, "status": "True"}
                for t in ("LoadBalancerReady", "NetworkConfigured", "Ready")
            ],
            "privateLoadBalancer": {"ingress": [{"domainInternal": "gw.system.svc.cluster.local"}]},
        }
        ctx.cluster.update_status({**obj, "status": status})
        return Result()


def controllers() -> list[Reconciler]:
    return [RouteReconciler(), ReadyIngress()]


def stored_route(store: MemoryCluster, name: str = "r") -> Route:
    return Route.from_dict(store.get(ROUTE, NS, name))


def ready_status(route: Route) -> str:
    return next(c.status.value for c in route.status.conditions if c.type == "Ready")


def publish(store: MemoryCluster, config: str, rev: str) -> None:
    """A new ready Revision becomes the Configuration's latest."""
    seed(store, [revision(NS, rev, of_configuration(config), ready)])
    obj = copy.deepcopy(store.get(CONFIGURATION, NS, config))
    obj["status"]["latestReadyRevisionName"] = rev
    obj["status"]["latestCreatedRevisionName"] = rev
    store.update_status(obj)


def test_route_becomes_ready_when_its_configuration_gets_a_ready_revision() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [route(NS, "r", with_traffic(config_target("c", 100))), configuration(NS, "c", not_ready)],
    )
    reconcilers = controllers()
    settle(store, reconcilers, clock)
    assert ready_status(stored_route(store)) == "Unknown"
    publish(store, "c", "c-00001")
    settle(store, reconcilers, clock)
    route_ = stored_route(store)
    assert ready_status(route_) == "True"
    assert route_.status.url == "http://r.default.example.com"
    assert (
        store.get(Kind("", "Service"), NS, "r")["spec"]["externalName"]
        == "gw.system.svc.cluster.local"
    )


def test_config_map_change_reaches_every_route() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [
            configuration(NS, "c", latest_ready("c-1")),
            revision(NS, "c-1", of_configuration("c"), ready),
            route(NS, "one", with_traffic(config_target("c", 100))),
            route(NS, "two", with_traffic(config_target("c", 100))),
        ],
    )
    reconcilers = controllers()
    settle(store, reconcilers, clock)
    seed(store, [config_map("config-domain", {"kingress.dev": ""})])
    settle(store, reconcilers, clock)
    assert stored_route(store, "one").status.url == "http://one.default.kingress.dev"
    assert stored_route(store, "two").status.url == "http://two.default.kingress.dev"


def test_mappers_follow_references_and_config_maps() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [
            configuration(NS, "c", latest_ready("c-1")),
            revision(NS, "c-1", of_configuration("c"), ready),
            route(NS, "r", with_traffic(config_target("c", 100))),
        ],
    )
    reconciler = RouteReconciler()
    settle(store, [reconciler], clock)
    mapped: dict[str, set[str]] = {}
    for watch in reconciler.watches():
        for obj, label in (
            (store.get(CONFIGURATION, NS, "c"), "configuration"),
            (store.get(Kind("serving.knative.dev", "Revision"), NS, "c-1"), "revision"),
            (store.get(CLUSTER_INGRESS, NS, "r"), "ingress"),
            (store.get(Kind("", "Service"), NS, "r"), "placeholder"),
            (config_map("config-network", {}), "config-network"),
            (config_map("unrelated", {}), "unrelated"),
        ):
            if watch.kind == Kind.of(obj):
                mapped.setdefault(label, set()).update(ref.name for ref in watch.mapper(obj))
    assert mapped == {
        "configuration": {"r"},
        "revision": {"r"},
        "ingress": {"r"},
        "placeholder": {"r"},
        "config-network": {"r"},
        "unrelated": set(),
    }


def test_gradual_rollout_steps_as_time_passes() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [
            configuration(NS, "c", latest_ready("c-1")),
            revision(NS, "c-1", of_configuration("c"), ready),
            route(
                NS,
                "r",
                with_traffic(config_target("c", 100)),
                with_annotations({ROLLOUT_DURATION: "5s"}),
            ),
        ],
    )
    reconcilers = controllers()
    settle(store, reconcilers, clock)
    assert ready_status(stored_route(store)) == "True"

    publish(store, "c", "c-2")
    report = settle(store, reconcilers, clock)
    seen = [new_share(store)]
    conditions = {c.type: c for c in stored_route(store).status.conditions}
    assert conditions["IngressReady"].reason == "RolloutInProgress"
    assert conditions["IngressReady"].message == (
        "A gradual rollout of the latest revision(s) is in progress."
    )
    traffic = [(t.revision_name, t.percent) for t in stored_route(store).status.traffic]
    assert traffic == [("c-1", 99), ("c-2", 1)]
    for _ in range(10):
        delays = [d for (name, _), d in report.requeues.items() if name == "route"]
        if not delays:
            break
        assert delays == [1.0]
        clock.advance(delays[0])
        report = settle(store, reconcilers, clock)
        seen.append(new_share(store))
    assert seen == [1, 26, 51, 76, 100]
    final = stored_route(store)
    assert ready_status(final) == "True"
    assert [(t.revision_name, t.percent) for t in final.status.traffic] == [("c-2", 100)]
    splits = store.get(CLUSTER_INGRESS, NS, "r")["spec"]["rules"][0]["http"]["paths"][0]["splits"]
    assert [(s["serviceName"], s["percent"]) for s in splits] == [("c-2", 100)]


def new_share(store: MemoryCluster) -> int:
    splits = store.get(CLUSTER_INGRESS, NS, "r")["spec"]["rules"][0]["http"]["paths"][0]["splits"]
    percent: int = next(s["percent"] for s in splits if s["serviceName"] == "c-2")
    return percent


def test_without_a_rollout_duration_the_new_revision_gets_everything_at_once() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [
            configuration(NS, "c", latest_ready("c-1")),
            revision(NS, "c-1", of_configuration("c"), ready),
            route(NS, "r", with_traffic(config_target("c", 100))),
        ],
    )
    reconcilers = controllers()
    settle(store, reconcilers, clock)
    publish(store, "c", "c-2")
    report = settle(store, reconcilers, clock)
    assert new_share(store) == 100
    assert not report.requeues


def test_rollout_duration_from_config_network() -> None:
    store, clock = MemoryCluster(), FakeClock()
    seed(
        store,
        [
            config_map("config-network", {"rollout-duration": "100"}),
            configuration(NS, "c", latest_ready("c-1")),
            revision(NS, "c-1", of_configuration("c"), ready),
            route(NS, "r", with_traffic(config_target("c", 100))),
        ],
    )
    reconcilers = controllers()
    settle(store, reconcilers, clock)
    publish(store, "c", "c-2")
    report = settle(store, reconcilers, clock)
    assert new_share(store) == 1
    # 99 s in steps of at least 1 s: one percent a second.
    assert report.requeues[("route", ObjectRef(ROUTE, NS, "r"))] == 1.0
