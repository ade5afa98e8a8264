"""The embedded store's Kubernetes semantics, row by row."""

from __future__ import annotations

import copy
import json
import pickle
import threading
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from kingress.cluster.errors import AlreadyExists, Conflict, Gone, Invalid, NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import EventType, Kind
from kingress.frozen import ReadOnlyError, thaw

CONFIG_MAP = Kind("", "ConfigMap")
SERVICE = Kind("serving.knative.dev", "Service")


def ksvc(name: str = "hello", namespace: str = "default", **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"spec": {"containers": [{"image": "img"}]}}},
    }
    obj.update(extra)
    return obj


def test_create_sets_identity_and_drops_status() -> None:
    store = MemoryCluster()
    created = store.create(ksvc(status={"url": "x"}))
    meta = created["metadata"]
    assert meta["generation"] == 1
    assert meta["uid"]
    assert meta["resourceVersion"] == "1"
    assert meta["creationTimestamp"].endswith("Z")
    assert "status" not in created


def test_create_twice_is_already_exists() -> None:
    store = MemoryCluster()
    store.create(ksvc())
    with pytest.raises(AlreadyExists):
        store.create(ksvc())


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("Upper", id="uppercase"),
        pytest.param("a_b", id="underscore"),
        pytest.param("-a", id="leading-dash"),
        pytest.param("a" * 254, id="too-long"),
    ],
)
def test_invalid_names_are_rejected_and_nothing_stored(name: str) -> None:
    store = MemoryCluster()
    with pytest.raises(Invalid):
        store.create(ksvc(name))
    assert store.list(SERVICE) == []


def test_namespace_defaults_and_cluster_scoped_has_none() -> None:
    store = MemoryCluster()
    obj = ksvc()
    del obj["metadata"]["namespace"]
    assert store.create(obj)["metadata"]["namespace"] == "default"
    ns = store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    assert "namespace" not in ns["metadata"]


@pytest.mark.parametrize(
    ("change", "want_generation"),
    [
        pytest.param(lambda o: o["spec"].update(traffic=[{"percent": 100}]), 2, id="spec-change"),
        pytest.param(lambda o: o["metadata"].update(labels={"a": "b"}), 1, id="label-only"),
        pytest.param(lambda o: o["metadata"].update(annotations={"a": "b"}), 1, id="annotation"),
        pytest.param(lambda o: o.update(status={"url": "x"}), 1, id="status-ignored"),
    ],
)
def test_generation_follows_spec_only(change: Any, want_generation: int) -> None:
    store = MemoryCluster()
    obj = copy.deepcopy(store.create(ksvc()))
    change(obj)
    updated = store.update(obj)
    assert updated["metadata"]["generation"] == want_generation
    assert "status" not in updated


def test_noop_update_writes_nothing() -> None:
    store = MemoryCluster()
    obj = store.create(ksvc())
    before = store.resource_version
    store.update(obj)
    store.update_status(obj)
    assert store.resource_version == before


def test_stale_update_is_a_conflict_and_changes_nothing() -> None:
    store = MemoryCluster()
    first = store.create(ksvc())
    fresh = dict(first, spec={"template": {"spec": {"containers": [{"image": "v2"}]}}})
    store.update(fresh)
    stale = dict(first, spec={"template": {"spec": {"containers": [{"image": "v3"}]}}})
    with pytest.raises(Conflict):
        store.update(stale)
    with pytest.raises(Conflict):
        store.update_status(dict(first, status={"x": 1}))
    current = store.get(SERVICE, "default", "hello")
    assert current["spec"]["template"]["spec"]["containers"][0]["image"] == "v2"
    assert "status" not in current


def test_update_without_resource_version_is_unconditional() -> None:
    store = MemoryCluster()
    store.create(ksvc())
    obj = ksvc(spec={"template": {}})
    assert store.update(obj)["metadata"]["generation"] == 2


def test_status_subresource_leaves_spec_alone() -> None:
    store = MemoryCluster()
    obj = copy.deepcopy(store.create(ksvc()))
    obj["spec"] = {"changed": True}
    obj["status"] = {"observedGeneration": 1}
    updated = store.update_status(obj)
    assert updated["status"] == {"observedGeneration": 1}
    assert updated["spec"] == ksvc()["spec"]
    assert updated["metadata"]["generation"] == 1


def test_update_and_get_of_missing_object_is_not_found() -> None:
    store = MemoryCluster()
    with pytest.raises(NotFound):
        store.get(SERVICE, "default", "nope")
    with pytest.raises(NotFound):
        store.update(ksvc("nope"))
    with pytest.raises(NotFound):
        store.delete(SERVICE, "default", "nope")


def _child(name: str, *owners: dict[str, Any]) -> dict[str, Any]:
    refs = [
        {
            "apiVersion": o["apiVersion"],
            "kind": o["kind"],
            "name": o["metadata"]["name"],
            "uid": o["metadata"]["uid"],
            "controller": i == 0,
        }
        for i, o in enumerate(owners)
    ]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "ownerReferences": refs},
    }


def test_delete_cascades_to_dependents_transitively() -> None:
    store = MemoryCluster()
    parent = store.create(ksvc())
    child = store.create(_child("child", parent))
    store.create(_child("grandchild", child))
    store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}})
    store.delete(SERVICE, "default", "hello")
    assert [o["metadata"]["name"] for o in store.list(CONFIG_MAP)] == ["other"]


def test_dependent_with_a_surviving_owner_is_kept() -> None:
    store = MemoryCluster()
    first = store.create(ksvc("a"))
    second = store.create(ksvc("b"))
    store.create(_child("shared", first, second))
    store.delete(SERVICE, "default", "a")
    assert [o["metadata"]["name"] for o in store.list(CONFIG_MAP)] == ["shared"]
    store.delete(SERVICE, "default", "b")
    assert store.list(CONFIG_MAP) == []


def test_a_child_written_after_its_owner_was_deleted_is_collected() -> None:
    # A controller reading a stale cache creates (or updates) a child of an owner
    # that is already gone: the garbage collector removes it, nothing is orphaned.
    store = MemoryCluster()
    gone = store.create(ksvc("gone"))
    store.delete(SERVICE, "default", "gone")
    late = store.create(_child("late", gone))
    assert late["metadata"]["name"] == "late"
    since = int(late["metadata"]["resourceVersion"]) - 1
    assert [e.type.value for e in store.events_since(since)] == ["ADDED", "DELETED"]
    alive = store.create(ksvc("alive"))
    moved = store.create(_child("moved", alive))
    stale_owners = _child("moved", gone)["metadata"]["ownerReferences"]
    store.update({**moved, "metadata": {**moved["metadata"], "ownerReferences": stale_owners}})
    assert store.list(CONFIG_MAP) == []


def test_finalizers_delay_deletion_until_removed() -> None:
    store = MemoryCluster()
    obj = store.create(ksvc(metadata={"name": "hello", "finalizers": ["keep"]}))
    store.delete(SERVICE, "default", "hello")
    marked = copy.deepcopy(store.get(SERVICE, "default", "hello"))
    assert marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["generation"] == obj["metadata"]["generation"] + 1
    marked["metadata"]["finalizers"] = []
    store.update(marked)
    with pytest.raises(NotFound):
        store.get(SERVICE, "default", "hello")


@pytest.mark.parametrize(
    ("selector", "want"),
    [
        pytest.param({"app": "a"}, ["one"], id="mapping"),
        pytest.param("app=a", ["one"], id="equals"),
        pytest.param("app==a", ["one"], id="double-equals"),
        pytest.param("app!=a", ["three", "two"], id="not-equals"),
        pytest.param("app in (a, b)", ["one", "two"], id="in"),
        pytest.param("app notin (a)", ["three", "two"], id="notin"),
        pytest.param("tier", ["two"], id="exists"),
        pytest.param("!tier", ["one", "three"], id="not-exists"),
        pytest.param("app=b,tier=web", ["two"], id="and"),
        pytest.param(None, ["one", "three", "two"], id="all"),
    ],
)
def test_label_selectors(selector: Any, want: list[str]) -> None:
    store = MemoryCluster()
    for name, labels in (
        ("one", {"app": "a"}),
        ("two", {"app": "b", "tier": "web"}),
        ("three", {}),
    ):
        store.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}}
        )
    got = sorted(o["metadata"]["name"] for o in store.list(CONFIG_MAP, "default", selector))
    assert got == want


def test_list_by_namespace() -> None:
    store = MemoryCluster()
    store.create(ksvc("a", "one"))
    store.create(ksvc("b", "two"))
    assert [o["metadata"]["name"] for o in store.list(SERVICE, "two")] == ["b"]


def test_watch_from_a_resource_version_sees_later_changes_only() -> None:
    store = MemoryCluster()
    store.create(ksvc("a"))
    since = store.resource_version
    obj = copy.deepcopy(store.create(ksvc("b")))
    obj["spec"] = {"x": 1}
    store.update(obj)
    store.delete(SERVICE, "default", "b")
    events = list(store.watch(since, timeout=0))
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        (EventType.ADDED, "b"),
        (EventType.MODIFIED, "b"),
        (EventType.DELETED, "b"),
    ]


def test_watch_filters_kinds_and_waits_for_new_events() -> None:
    store = MemoryCluster()
    since = store.resource_version
    seen: list[str] = []

    def consume() -> None:
        for event in store.watch(since, frozenset({CONFIG_MAP}), timeout=5):
            seen.append(event.object["metadata"]["name"])
            return

    thread = threading.Thread(target=consume)
    thread.start()
    store.create(ksvc("ignored"))
    store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wanted"}})
    thread.join(timeout=10)
    assert seen == ["wanted"]


def test_watch_from_too_old_a_version_is_gone() -> None:
    store = MemoryCluster(history=2)
    for name in ("a", "b", "c", "d"):
        store.create(ksvc(name))
    with pytest.raises(Gone):
        store.events_since(0)
    assert len(store.events_since(store.resource_version - 1)) == 1


def test_history_is_bounded_by_size_too() -> None:
    # Each event keeps a copy of its object: a flood of large writes must not
    # grow memory without limit, however few events that is.
    store = MemoryCluster(history_bytes=10_000)
    big = "x" * 3_000
    for name in ("a", "b", "c", "d", "e"):
        store.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name},
                "data": {"v": big},
            }
        )
    with pytest.raises(Gone):
        store.events_since(0)
    kept = store.events_since(store.resource_version - 3)
    assert [e.object["metadata"]["name"] for e in kept] == ["c", "d", "e"]
    with pytest.raises(Gone):
        store.events_since(store.resource_version - 4)


def test_events_since_a_version_are_exactly_the_later_ones() -> None:
    store = MemoryCluster()
    for number in range(50):
        store.create(ksvc(f"s{number}"))
    for since in (0, 1, 17, 49, 50):
        names = [e.object["metadata"]["name"] for e in store.events_since(since)]
        assert names == [f"s{n}" for n in range(since, 50)]


def _mutations(obj: dict[str, Any]) -> list[Callable[[], object]]:
    """Every way of changing a stored object (or a part of it) in place."""
    spec, containers = obj["spec"], obj["spec"]["template"]["spec"]["containers"]
    return [
        lambda: spec.__setitem__("mutated", True),
        lambda: spec.update(mutated=True),
        lambda: spec.setdefault("mutated", True),
        lambda: spec.pop("template"),
        spec.popitem,
        spec.clear,
        lambda: obj["metadata"].__delitem__("name"),
        lambda: containers.append({}),
        lambda: containers.extend([{}]),
        lambda: containers.insert(0, {}),
        containers.pop,
        lambda: containers.__setitem__(0, {}),
        lambda: containers.__delitem__(0),
        containers.sort,
        lambda: containers[0].__setitem__("image", "other"),
    ]


@pytest.mark.parametrize("read", ["create", "get", "list", "update", "update_status", "watch"])
def test_what_the_store_hands_out_cannot_change_what_it_holds(read: str) -> None:
    store = MemoryCluster()
    created = store.create(ksvc())
    objects: dict[str, Callable[[], dict[str, Any]]] = {
        "create": lambda: created,
        "get": lambda: store.get(SERVICE, "default", "hello"),
        "list": lambda: store.list(SERVICE)[0],
        "update": lambda: store.update(ksvc(metadata={"name": "hello", "labels": {"a": "b"}})),
        "update_status": lambda: store.update_status({**created, "status": {"url": "u"}}),
        "watch": lambda: store.events_since(0)[-1].object,
    }
    obj = objects[read]()
    before = copy.deepcopy(store.get(SERVICE, "default", "hello"))
    for mutate in _mutations(obj):
        with pytest.raises(ReadOnlyError):
            mutate()
    assert store.get(SERVICE, "default", "hello") == before


def test_what_a_caller_writes_is_copied_in() -> None:
    store = MemoryCluster()
    mine = ksvc()
    store.create(mine)
    mine["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    mine["metadata"]["labels"] = {"a": "b"}
    stored = store.get(SERVICE, "default", "hello")
    assert stored["spec"]["template"]["spec"]["containers"][0]["image"] == "img"
    assert "labels" not in stored["metadata"]


def test_copies_of_read_objects_are_plain_and_mutable() -> None:
    store = MemoryCluster()
    stored = store.create(ksvc())
    mine = copy.deepcopy(stored)
    mine["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert thaw(stored) == ksvc() | {"metadata": stored["metadata"]}
    assert type(mine["spec"]) is dict
    shallow = {**stored, "spec": {}}
    assert store.update(shallow)["spec"] == {}
    assert stored["spec"] == ksvc()["spec"]
    assert json.loads(json.dumps(stored)) == stored
    assert yaml.safe_load(yaml.safe_dump(stored)) == stored
    assert pickle.loads(pickle.dumps(stored)) == stored


def test_label_and_owner_indexes_follow_updates_and_deletes() -> None:
    store = MemoryCluster()
    owner = store.create(ksvc())
    child = {
        **_child("child", owner),
        "metadata": {**_child("child", owner)["metadata"], "labels": {"app": "a"}},
    }
    store.create(child)
    assert [o["metadata"]["name"] for o in store.list(CONFIG_MAP, None, {"app": "a"})] == ["child"]
    relabelled = {**store.get(CONFIG_MAP, "default", "child")}
    relabelled["metadata"] = {**relabelled["metadata"], "labels": {"app": "b"}}
    store.update(relabelled)
    assert store.list(CONFIG_MAP, None, {"app": "a"}) == []
    assert len(store.list(CONFIG_MAP, "default", {"app": "b"})) == 1
    assert store.list(CONFIG_MAP, "elsewhere", {"app": "b"}) == []
    orphaned = {**store.get(CONFIG_MAP, "default", "child")}
    orphaned["metadata"] = {**orphaned["metadata"], "ownerReferences": []}
    store.update(orphaned)
    store.delete(SERVICE, "default", "hello")
    assert len(store.list(CONFIG_MAP)) == 1
    store.delete(CONFIG_MAP, "default", "child")
    assert store.list(CONFIG_MAP, None, {"app": "b"}) == []
    assert store.kinds() == []


def test_restore_keeps_uid_generation_and_status_and_replaces() -> None:
    store = MemoryCluster()
    meta: dict[str, Any] = {"name": "cm", "namespace": "ns", "uid": "fixed", "generation": 7}
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta,
        "status": {"seen": True},
    }
    restored = store.restore(obj)
    assert restored["metadata"]["uid"] == "fixed"
    assert restored["metadata"]["generation"] == 7
    assert store.get(Kind("", "ConfigMap"), "ns", "cm")["status"] == {"seen": True}
    again = store.restore({**obj, "metadata": {**meta, "uid": "other"}})
    assert again["metadata"]["uid"] == "other"
    events = store.events_since(0)
    assert [e.type.value for e in events] == ["ADDED", "MODIFIED"]
    store.delete(Kind("", "ConfigMap"), "ns", "cm")
    with pytest.raises(NotFound):
        store.get(Kind("", "ConfigMap"), "ns", "cm")


def test_restore_refuses_objects_without_a_kind() -> None:
    with pytest.raises(Invalid):
        MemoryCluster().restore({"metadata": {"name": "x"}})
