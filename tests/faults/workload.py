"""The input of the fault tests, and what an uninterrupted offline run makes of it.

``Workload.of(count)`` is a mix of the shapes the controllers handle
differently: plain Services, Services with a tagged target (an extra
placeholder Service), cluster-local Services, and a standalone Route
splitting traffic 50/50 between two standalone Configurations. Every sixth
Service is *doomed*: a test deletes it while controllers run (the window in
which a stale cache makes a controller write children of a deleted owner).

``reference(objects)`` admits objects as the API would and runs every
controller offline with ``settle``; ``Workload.expected`` is that for the
objects that survive: the state any correct run must converge to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from kingress.api.annotations import VISIBILITY_CLUSTER_LOCAL, VISIBILITY_LABEL
from kingress.api.kinds import default_scheme
from kingress.apiserver.server import ApiServer
from kingress.cluster.errors import AlreadyExists, ApiError, NotFound
from kingress.cluster.kube import KubeCluster
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Object, ObjectRef
from kingress.controller.clock import FakeClock
from kingress.controller.registry import offline_reconcilers
from kingress.controller.settle import settle
from kingress.runtime.testing import wait_until
from tests.faults.state import (
    Shape,
    differences,
    failures_reported,
    objects_of,
    shape,
    violations,
)

SERVING = "serving.knative.dev/v1"
NAMESPACE = "default"


def _template(name: str) -> Object:
    container = {"image": "example.com/hello", "env": [{"name": "TARGET", "value": name}]}
    return {"spec": {"containers": [container]}}


def _service(name: str, *, traffic: list[Object] | None = None, local: bool = False) -> Object:
    spec: Object = {"template": _template(name)}
    if traffic is not None:
        spec["traffic"] = traffic
    metadata: Object = {"name": name, "namespace": NAMESPACE}
    if local:
        metadata["labels"] = {VISIBILITY_LABEL: VISIBILITY_CLUSTER_LOCAL}
    return {"apiVersion": SERVING, "kind": "Service", "metadata": metadata, "spec": spec}


def _split(name: str) -> list[Object]:
    """Two Configurations and a Route sending half of the traffic to each."""
    configurations = [
        {
            "apiVersion": SERVING,
            "kind": "Configuration",
            "metadata": {"name": f"{name}-{side}", "namespace": NAMESPACE},
            "spec": {"template": _template(f"{name}-{side}")},
        }
        for side in ("a", "b")
    ]
    route = {
        "apiVersion": SERVING,
        "kind": "Route",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "traffic": [
                {"configurationName": f"{name}-a", "percent": 50},
                {"configurationName": f"{name}-b", "percent": 50, "tag": "b"},
            ]
        },
    }
    return [*configurations, route]


def workload(count: int) -> list[Object]:
    """``count`` top-level objects' worth of input (a split counts as one), in apply order."""
    objects: list[Object] = []
    for number in range(count):
        name = f"app-{number:03d}"
        match number % 5:
            case 1:
                tagged = [{"latestRevision": True, "percent": 100, "tag": "current"}]
                objects.append(_service(name, traffic=tagged))
            case 2:
                objects.append(_service(name, local=True))
            case 3:
                objects.extend(_split(name))
            case _:
                objects.append(_service(name))
    return objects


@dataclass(frozen=True)
class Workload:
    """Objects to create, those of them to delete mid-run, and the store to converge to."""

    objects: list[Object]
    doomed: list[Object]
    settled: MemoryCluster

    @classmethod
    def of(cls, count: int) -> Workload:
        """``count`` entries of ``workload``; every sixth Service doomed."""
        objects = workload(count)
        services = [obj for obj in objects if obj["kind"] == "Service"]
        doomed = services[5::6]
        return cls(objects, doomed, reference([obj for obj in objects if obj not in doomed]))

    @property
    def expected(self) -> dict[str, Shape]:
        """The shape every run must converge to."""
        return shape(objects_of(self.settled))

    def apply(self, kube: KubeCluster) -> None:
        """Create every object (the API must serve the backends' kinds: ``backends=``)."""
        for obj in self.objects:
            create(kube, obj)

    def delete_doomed(self, kube: KubeCluster) -> None:
        """Delete the doomed objects (their children go with them)."""
        for obj in self.doomed:
            delete(kube, ObjectRef.of(obj))

    def wait_converged(self, server: ApiServer, timeout: float, context: str) -> None:
        """Wait (bounded) until the store has the expected shape; else list the differences."""
        expected = self.expected
        try:
            wait_until(
                lambda: not differences(expected, shape(objects_of(server.store))),
                timeout=timeout,
                what="convergence",
            )
        except AssertionError:
            found = differences(expected, shape(objects_of(server.store)))
            raise AssertionError(
                f"{context}: {len(found)} differences:\n" + "\n".join(found[:40])
            ) from None

    def check_invariants(self, server: ApiServer) -> None:
        """Owner references resolve, Revision and ingress counts, no failure ever reported."""
        assert violations(objects_of(server.store)) == []
        reported = failures_reported(server.store.events_since(0))
        assert reported == [], "\n".join(reported)


def reference(objects: list[Object]) -> MemoryCluster:
    """The store after an uninterrupted offline run of every controller over ``objects``."""
    store = MemoryCluster()
    scheme = default_scheme()
    for obj in objects:
        store.create(scheme.admit(obj))
    settle(store, offline_reconcilers(), FakeClock(datetime(2024, 1, 1, tzinfo=UTC)))
    return store


def create(kube: KubeCluster, obj: Object, attempts: int = 20) -> None:
    """Create ``obj``, retrying refusals as a client must when the API fails on purpose.

    ``AlreadyExists`` after a failed attempt means that attempt was stored and
    only its answer was lost: done.
    """
    for attempt in range(attempts):
        try:
            kube.create(obj)
            return
        except AlreadyExists:
            if attempt == 0:
                raise
            return
        except ApiError as error:
            if error.code not in (409, 500):
                raise
    raise AssertionError(f"could not create {ObjectRef.of(obj)} in {attempts} attempts")


def delete(kube: KubeCluster, ref: ObjectRef, attempts: int = 20) -> None:
    """Delete ``ref``, retrying refusals; ``NotFound`` after a failed attempt means done."""
    for attempt in range(attempts):
        try:
            kube.delete(ref.kind, ref.namespace, ref.name)
            return
        except NotFound:
            if attempt == 0:
                raise
            return
        except ApiError as error:
            if error.code not in (409, 500):
                raise
    raise AssertionError(f"could not delete {ref} in {attempts} attempts")
