"""A world stamped from one settled Service is the world the pipeline builds (the cold-start
world on Istio; the Envoy world, with Endpoints created first, of envoy-update)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from benchmarks.envoy_runner import publish_endpoints
from benchmarks.world import NAMESPACE, World, build, service_name, stamp

from benchmarks import cold_start
from kingress.cluster.port import ObjectRef
from kingress.controller.registry import offline_reconcilers
from kingress.controller.settle import settle
from kingress.frozen import thaw


def _normalised(world: World) -> dict[ObjectRef, Any]:
    """Every object, with uids named by their objects and resourceVersions dropped."""
    objects = world.objects()
    names = {obj["metadata"]["uid"]: str(ObjectRef.of(obj)) for obj in objects}

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: names.get(item, item) if key == "uid" else rename(item)
                for key, item in value.items()
                if key != "resourceVersion"
            }
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    return {ObjectRef.of(obj): rename(thaw(obj)) for obj in objects}


def _endpoints(count: int) -> Callable[[World], None]:
    """Endpoints for the first ``count`` Services' two Revisions, created before anything else."""

    def publish(world: World) -> None:
        for revision, port in (("00001", 9001), ("00002", 9002)):
            names = [f"{service_name(i)}-{revision}" for i in range(count)]
            publish_endpoints(world.store, NAMESPACE, names, port)

    return publish


@pytest.mark.parametrize(
    ("backend", "endpoints"), [("istio", False), ("envoy", False), ("envoy", True)]
)
def test_a_stamped_world_is_what_the_pipeline_builds(backend: str, endpoints: bool) -> None:
    built = build(3, backend, _endpoints(3) if endpoints else None)
    stamped = stamp(3, backend, _endpoints(1) if endpoints else None)
    built_objects, stamped_objects = _normalised(built), _normalised(stamped)
    assert sorted(stamped_objects) == sorted(built_objects)
    for ref, obj in built_objects.items():
        assert stamped_objects[ref] == obj, ref


def test_fresh_controllers_find_nothing_to_change_in_a_stamped_world() -> None:
    world = stamp(4, "istio")
    before = world.store.resource_version
    report = settle(world.store, offline_reconcilers(), world.clock)
    assert report.reconciles > 0
    assert world.store.resource_version == before
    assert cold_start.ready_routes(world) == 4
