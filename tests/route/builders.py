"""Option-style builders of the objects a Route reconcile reads, and a table-test runner.

``route("default", "r", with_traffic(config_target("c", 100)))`` reads like the
object it builds. Objects are wire dicts; ``seed`` writes them into a store the
way they would exist (create, then status), resolving owner references to the
Routes they name.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kingress.api.annotations import (
    CONFIGURATION_LABEL,
    ROUTE_LABEL,
    SERVICE_LABEL,
    VISIBILITY_CLUSTER_LOCAL,
    VISIBILITY_LABEL,
)
from kingress.api.conditions import Condition, ConditionStatus
from kingress.api.ingress import ClusterIngress
from kingress.api.serving import Route
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef
from kingress.cluster.recording import RecordingCluster, Verb
from kingress.config import SYSTEM_NAMESPACE
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Context, Result
from kingress.route.reconciler import CLUSTER_INGRESS, ROUTE, RouteReconciler

Option = Callable[[Object], None]
SERVING = "serving.knative.dev/v1"
NS = "default"
_OWNER_UID = "<uid of Route {}>"


# --- objects ------------------------------------------------------------------------


def _object(api_version: str, kind: str, ns: str, name: str, options: Iterable[Option]) -> Object:
    obj: Object = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    if ns:
        obj["metadata"]["namespace"] = ns
    for option in options:
        option(obj)
    return obj


def route(ns: str, name: str, *options: Option) -> Object:
    """A v1 Route."""
    return _object(SERVING, "Route", ns, name, options)


def configuration(ns: str, name: str, *options: Option) -> Object:
    """A v1 Configuration."""
    return _object(SERVING, "Configuration", ns, name, options)


def revision(ns: str, name: str, *options: Option) -> Object:
    """A v1 Revision (one container)."""
    return _object(SERVING, "Revision", ns, name, (_container, *options))


def config_map(name: str, data: Mapping[str, str]) -> Object:
    """A Knative configuration map in ``knative-serving``."""
    obj = _object("v1", "ConfigMap", SYSTEM_NAMESPACE, name, ())
    obj["data"] = dict(data)
    return obj


def service(ns: str, name: str, *options: Option) -> Object:
    """A Kubernetes Service (ClusterIP, port 80)."""
    obj = _object("v1", "Service", ns, name, options)
    obj.setdefault("spec", {"ports": [{"name": "http", "port": 80}]})
    return obj


def endpoints(ns: str, name: str, *options: Option) -> Object:
    """A Kubernetes Endpoints object."""
    return _object("v1", "Endpoints", ns, name, options)


def _container(obj: Object) -> None:
    obj["spec"] = {"containers": [{"image": "img"}]}


# --- options --------------------------------------------------------------------------


def with_labels(**labels: str) -> Option:
    """Add labels (keyword names with ``__`` for ``/`` and ``_`` for ``.``)."""
    return with_label_map({k.replace("__", "/").replace("_", "."): v for k, v in labels.items()})


def with_label_map(labels: Mapping[str, str]) -> Option:
    """Add labels."""

    def apply(obj: Object) -> None:
        obj["metadata"].setdefault("labels", {}).update(labels)

    return apply


def with_annotations(annotations: Mapping[str, str]) -> Option:
    """Add annotations."""

    def apply(obj: Object) -> None:
        obj["metadata"].setdefault("annotations", {}).update(annotations)

    return apply


def cluster_local(obj: Object) -> None:
    """The visibility label ``cluster-local``."""
    with_label_map({VISIBILITY_LABEL: VISIBILITY_CLUSTER_LOCAL})(obj)


def owned_by_service(name: str) -> Option:
    """The ``serving.knative.dev/service`` label (a Route or Revision of a Service)."""
    return with_label_map({SERVICE_LABEL: name})


def of_configuration(name: str) -> Option:
    """A Revision's ``serving.knative.dev/configuration`` label."""
    return with_label_map({CONFIGURATION_LABEL: name})


def owned_by_route(name: str) -> Option:
    """Controlled by Route ``name`` (resolved by ``seed``) and labelled as its child."""

    def apply(obj: Object) -> None:
        obj["metadata"]["ownerReferences"] = [
            {
                "apiVersion": SERVING,
                "kind": "Route",
                "name": name,
                "uid": _OWNER_UID.format(name),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        obj["metadata"].setdefault("labels", {})[ROUTE_LABEL] = name

    return apply


def with_spec(**spec: Any) -> Option:
    """Replace the spec."""

    def apply(obj: Object) -> None:
        obj["spec"] = spec

    return apply


def h2c(obj: Object) -> None:
    """A Revision whose container port is named ``h2c``."""
    obj["spec"]["containers"][0]["ports"] = [{"name": "h2c", "containerPort": 8080}]


def with_traffic(*targets: dict[str, Any]) -> Option:
    """A Route's traffic block."""

    def apply(obj: Object) -> None:
        obj["spec"] = {"traffic": list(targets)}

    return apply


def config_target(name: str, percent: int | None = None, *, tag: str = "") -> dict[str, Any]:
    """A target following a Configuration's latest ready Revision."""
    target: dict[str, Any] = {"configurationName": name, "latestRevision": True}
    if percent is not None:
        target["percent"] = percent
    if tag:
        target["tag"] = tag
    return target


def revision_target(name: str, percent: int | None = None, *, tag: str = "") -> dict[str, Any]:
    """A target pinned to a Revision."""
    target: dict[str, Any] = {"revisionName": name, "latestRevision": False}
    if percent is not None:
        target["percent"] = percent
    if tag:
        target["tag"] = tag
    return target


def latest_target(percent: int | None = None, *, tag: str = "") -> dict[str, Any]:
    """``latestRevision: true`` with no configuration (a Service's Route)."""
    target: dict[str, Any] = {"latestRevision": True}
    if percent is not None:
        target["percent"] = percent
    if tag:
        target["tag"] = tag
    return target


def _condition(obj: Object, type_: str, status: str, reason: str = "", message: str = "") -> None:
    condition: dict[str, str] = {"type": type_, "status": status}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    conditions = obj.setdefault("status", {}).setdefault("conditions", [])
    conditions[:] = [c for c in conditions if c["type"] != type_] + [condition]


def ready(obj: Object) -> None:
    """Ready=True for generation 1."""
    _condition(obj, "Ready", "True")
    obj.setdefault("status", {})["observedGeneration"] = 1


def not_ready(obj: Object) -> None:
    """Ready=Unknown."""
    _condition(obj, "Ready", "Unknown", "Deploying", "waiting")
    obj.setdefault("status", {})["observedGeneration"] = 1


def failed(obj: Object) -> None:
    """Ready=False."""
    _condition(obj, "Ready", "False", "Failed", "it failed")
    obj.setdefault("status", {})["observedGeneration"] = 1


def latest_ready(name: str) -> Option:
    """A Configuration's latest ready Revision."""

    def apply(obj: Object) -> None:
        status = obj.setdefault("status", {})
        status["latestReadyRevisionName"] = name
        status["latestCreatedRevisionName"] = name
        ready(obj)

    return apply


def observed(generation: int) -> Option:
    """``status.observedGeneration``."""

    def apply(obj: Object) -> None:
        obj.setdefault("status", {})["observedGeneration"] = generation

    return apply


# --- seeding and running ------------------------------------------------------------


def seed(store: MemoryCluster, objects: Iterable[Object]) -> None:
    """Create each object (then its status), resolving owner references to Routes."""
    for original in objects:
        obj = copy.deepcopy({k: v for k, v in original.items() if k != "status"})
        for ref in obj["metadata"].get("ownerReferences") or ():
            if ref.get("uid") == _OWNER_UID.format(ref["name"]):
                owner = store.get(ROUTE, obj["metadata"].get("namespace", ""), ref["name"])
                ref["uid"] = owner["metadata"]["uid"]
        created = store.create(obj)
        if "status" in original:
            store.update_status({**created, "status": original["status"]})


@dataclass
class World:
    """A store, a recording view of it, a fake clock and the reconciler under test."""

    store: MemoryCluster = field(default_factory=MemoryCluster)
    clock: FakeClock = field(default_factory=FakeClock)
    reconciler: RouteReconciler = field(default_factory=RouteReconciler)

    def __post_init__(self) -> None:
        self.recording = RecordingCluster(self.store)

    def reconcile(self, name: str = "r", ns: str = NS) -> Result:
        """One reconcile of Route ``ns/name``, recorded."""
        self.recording.actions.clear()
        ctx = Context(cluster=self.recording, clock=self.clock)
        return self.reconciler.reconcile(ctx, ObjectRef(ROUTE, ns, name))

    def writes(self) -> list[tuple[str, str, str]]:
        """The recorded writes as (verb, kind, name)."""
        return [(a.verb.value, a.ref.kind.kind, a.ref.name) for a in self.recording.actions]

    def written(self, verb: Verb, kind: str, name: str) -> Object:
        """The object of one recorded write."""
        for action in self.recording.actions:
            if action.verb is verb and (action.ref.kind.kind, action.ref.name) == (kind, name):
                assert action.object is not None
                return action.object
        raise AssertionError(f"no {verb} of {kind} {name} in {self.writes()}")

    def route(self, name: str = "r", ns: str = NS) -> Route:
        """The stored Route."""
        return Route.from_dict(self.store.get(ROUTE, ns, name))

    def ingress(self, name: str = "r", ns: str = NS) -> ClusterIngress:
        """The stored ClusterIngress."""
        return ClusterIngress.from_dict(self.store.get(CLUSTER_INGRESS, ns, name))

    def get(self, kind: str, name: str, ns: str = NS) -> Object:
        """A stored core object (Service, Endpoints…)."""
        return self.store.get(Kind("", kind), ns, name)


def conditions(route: Route) -> dict[str, tuple[str, str | None, str | None]]:
    """A Route's conditions as {type: (status, reason, message)}."""
    return {c.type: (c.status.value, c.reason, c.message) for c in route.status.conditions}


def condition(route: Route, type_: str) -> Condition:
    """One condition of the Route (must exist)."""
    found = next((c for c in route.status.conditions if c.type == type_), None)
    assert found is not None, f"no {type_} condition"
    return found


def mark_ingress(
    store: MemoryCluster,
    name: str = "r",
    ns: str = NS,
    *,
    status: ConditionStatus = ConditionStatus.TRUE,
    reason: str = "",
    message: str = "",
    private: Mapping[str, Any] | None = None,
    public: Mapping[str, Any] | None = None,
) -> None:
    """Play the ClusterIngress controller: set Ready and the load balancers for the
    current generation (the real controller is tested on its own)."""
    obj = store.get(CLUSTER_INGRESS, ns, name)
    ready_condition: dict[str, str] = {"type": "Ready", "status": status.value}
    if reason:
        ready_condition["reason"] = reason
    if message:
        ready_condition["message"] = message
    new_status: dict[str, Any] = {
        "observedGeneration": obj["metadata"]["generation"],
        "conditions": [ready_condition],
    }
    if private is not None:
        new_status["privateLoadBalancer"] = {"ingress": [dict(private)]}
    if public is not None:
        new_status["publicLoadBalancer"] = {"ingress": [dict(public)]}
    store.update_status({**obj, "status": new_status})
