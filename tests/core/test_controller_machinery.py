"""The shared applier and the settle loop, driven by a small real reconciler."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from kingress.cluster.errors import NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.cluster.recording import RecordingCluster, Verb
from kingress.controller.apply import NotOwned, delete_stale, ensure
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Context, Result, Watch, owner_mapper
from kingress.controller.settle import NotSettled, ReconcileFailed, settle

CONFIG_MAP = Kind("", "ConfigMap")
SECRET = Kind("", "Secret")


def _parent(store: MemoryCluster, name: str = "parent", data: str = "v1") -> dict[str, Any]:
    return store.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default"},
            "data": {"value": data},
        }
    )


def _child(name: str = "child", value: str = "v1") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "x"}},
        "stringData": {"value": value},
    }


def test_ensure_creates_then_leaves_an_equal_child_alone() -> None:
    store = MemoryCluster()
    parent = _parent(store)
    recording = RecordingCluster(store)
    ensure(recording, _child(), parent)
    ensure(recording, _child(), parent)
    assert [a.verb for a in recording.actions] == [Verb.CREATE]
    created = store.get(SECRET, "default", "child")
    assert created["metadata"]["ownerReferences"][0]["uid"] == parent["metadata"]["uid"]


def test_ensure_updates_a_changed_child_and_drops_removed_labels() -> None:
    store = MemoryCluster()
    parent = _parent(store)
    ensure(store, _child(), parent)
    changed = _child(value="v2")
    del changed["metadata"]["labels"]
    ensure(store, changed, parent)
    got = store.get(SECRET, "default", "child")
    assert got["stringData"] == {"value": "v2"}
    assert not got["metadata"].get("labels")


def test_ensure_never_overwrites_a_child_it_does_not_own() -> None:
    store = MemoryCluster()
    parent = _parent(store)
    store.create(_child(value="theirs"))
    with pytest.raises(NotOwned, match=r'There is an existing Secret "child" that we do not own\.'):
        ensure(store, _child(value="ours"), parent)
    assert store.get(SECRET, "default", "child")["stringData"] == {"value": "theirs"}


def test_ensure_keeps_server_assigned_service_fields() -> None:
    store = MemoryCluster()
    parent = _parent(store)
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc", "namespace": "default"},
        "spec": {"ports": [{"port": 80}]},
    }
    created = copy.deepcopy(ensure(store, service, parent))
    created["spec"]["clusterIP"] = "10.0.0.1"
    store.update(created)
    before = store.resource_version
    ensure(store, service, parent)
    assert store.resource_version == before


def test_delete_stale_removes_only_unwanted_owned_children() -> None:
    store = MemoryCluster()
    parent = _parent(store)
    for name in ("keep", "stale"):
        ensure(store, _child(name), parent)
    store.create(_child("foreign"))
    deleted = delete_stale(
        store, SECRET, "default", {"app": "x"}, ["keep"], parent["metadata"]["uid"]
    )
    assert deleted == ["stale"]
    assert sorted(o["metadata"]["name"] for o in store.list(SECRET)) == ["foreign", "keep"]


@dataclass
class Mirror:
    """Copies each ConfigMap's value into a Secret it owns (a real, tiny reconciler)."""

    name: str = "mirror"
    kind: Kind = CONFIG_MAP
    fail_times: int = 0
    flap: bool = False

    def watches(self) -> Sequence[Watch]:
        return (Watch(SECRET, owner_mapper(CONFIG_MAP)),)

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("transient")
        try:
            parent = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            return Result()
        value = parent["data"]["value"]
        if self.flap:
            try:
                current = ctx.cluster.get(SECRET, ref.namespace, f"{ref.name}-copy")
                value = "b" if current["stringData"]["value"] == "a" else "a"
            except NotFound:
                value = "a"
        ensure(ctx.cluster, _child(f"{ref.name}-copy", value), parent)
        return Result()


def test_settle_runs_until_nothing_changes() -> None:
    store = MemoryCluster()
    _parent(store, "one")
    _parent(store, "two")
    report = settle(store, [Mirror()], FakeClock())
    assert sorted(o["metadata"]["name"] for o in store.list(SECRET)) == ["one-copy", "two-copy"]
    assert report.reconciles >= 2
    settled_at = store.resource_version
    again = settle(store, [Mirror()], FakeClock())
    assert store.resource_version == settled_at
    assert again.reconciles == 2


def test_settle_reacts_to_child_changes() -> None:
    store = MemoryCluster()
    _parent(store)
    settle(store, [Mirror()], FakeClock())
    child = copy.deepcopy(store.get(SECRET, "default", "parent-copy"))
    child["stringData"] = {"value": "tampered"}
    store.update(child)
    settle(store, [Mirror()], FakeClock())
    assert store.get(SECRET, "default", "parent-copy")["stringData"] == {"value": "v1"}


def test_settle_retries_transient_errors() -> None:
    store = MemoryCluster()
    _parent(store)
    report = settle(store, [Mirror(fail_times=2)], FakeClock())
    assert len(report.transient_errors) == 1
    assert store.list(SECRET)


def test_settle_gives_up_on_persistent_errors_with_the_reason() -> None:
    store = MemoryCluster()
    _parent(store)
    with pytest.raises(ReconcileFailed, match="mirror ConfigMap default/parent: RuntimeError"):
        settle(store, [Mirror(fail_times=100)], FakeClock())


def test_settle_stops_a_system_that_never_settles() -> None:
    store = MemoryCluster()
    _parent(store)
    with pytest.raises(NotSettled, match="busiest: mirror ConfigMap default/parent"):
        settle(store, [Mirror(flap=True)], FakeClock(), max_reconciles=50)


def test_settle_outlasts_a_watch_history_shorter_than_one_pass() -> None:
    store = MemoryCluster(history=8)
    for index in range(20):
        _parent(store, f"parent-{index}")
    settle(store, [Mirror()], FakeClock())
    assert len(store.list(SECRET, "default")) == 20


def test_settle_outlasts_a_history_cut_short_by_size() -> None:
    store = MemoryCluster(history_bytes=200)
    for index in range(20):
        _parent(store, f"parent-{index}")
    settle(store, [Mirror()], FakeClock())
    assert len(store.list(SECRET, "default")) == 20


@dataclass
class Journal:
    """Records the order of its reconciles; optionally fails its first ones."""

    name: str
    kind: Kind
    order: list[str]
    fail_times: int = 0

    def watches(self) -> Sequence[Watch]:
        return ()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        self.order.append(f"{self.name} {ref.name}")
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("transient")
        return Result()


def test_settle_serves_an_earlier_reconciler_first() -> None:
    store = MemoryCluster()
    _parent(store, "p")
    store.create(_child("s"))
    order: list[str] = []
    late = Journal("late", CONFIG_MAP, order)
    early = Journal("early", SECRET, order)
    settle(store, [early, late], FakeClock())
    assert order == ["early s", "late p"]
    order.clear()
    settle(store, [late, early], FakeClock())
    assert order == ["late p", "early s"]


def test_settle_serves_the_writes_of_a_reconcile_before_older_keys() -> None:
    store = MemoryCluster()
    for name in ("one", "two"):
        _parent(store, name)
    order: list[str] = []
    secrets = Journal("secrets", SECRET, order)
    mirror = Mirror()

    class LoggedMirror:
        name, kind = mirror.name, mirror.kind

        def watches(self) -> Sequence[Watch]:
            return mirror.watches()

        def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
            order.append(f"mirror {ref.name}")
            return mirror.reconcile(ctx, ref)

    settle(store, [secrets, LoggedMirror()], FakeClock())
    # Each ConfigMap's copy is reconciled before the next ConfigMap (depth
    # first); the owners the copies map back to come again after them.
    assert order == [
        "mirror one",
        "secrets one-copy",
        "mirror two",
        "secrets two-copy",
        "mirror one",
        "mirror two",
    ]


def test_settle_retries_a_failed_key_after_the_rest_of_the_queue() -> None:
    store = MemoryCluster()
    for name in ("a", "b"):
        _parent(store, name)
    order: list[str] = []
    settle(store, [Journal("j", CONFIG_MAP, order, fail_times=1)], FakeClock())
    assert order == ["j a", "j b", "j a"]
