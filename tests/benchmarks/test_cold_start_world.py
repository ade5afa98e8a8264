"""The cold-start world stamped from one settled Service is the world the pipeline builds."""

from __future__ import annotations

from typing import Any

from benchmarks.world import World

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


def test_a_stamped_world_is_what_the_pipeline_builds() -> None:
    built, stamped = _normalised(cold_start.build(3)), _normalised(cold_start.stamp(3))
    assert sorted(stamped) == sorted(built)
    for ref, obj in built.items():
        assert stamped[ref] == obj, ref


def test_fresh_controllers_find_nothing_to_change_in_a_stamped_world() -> None:
    world = cold_start.stamp(4)
    before = world.store.resource_version
    report = settle(world.store, offline_reconcilers(), world.clock)
    assert report.reconciles > 0
    assert world.store.resource_version == before
    assert cold_start.ready_routes(world) == 4
