"""The store's indexes: entries of one object and of many, and one reference per object."""

from __future__ import annotations

from typing import Any

from kingress.cluster.index import Refs, StoreIndex, add_ref, discard_ref, refs_in
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.frozen import freeze

CONFIG_MAP = Kind("", "ConfigMap")


def _config_map(name: str, labels: dict[str, str], owners: list[str]) -> Any:
    return freeze(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": "default",
                "labels": labels,
                "ownerReferences": [{"uid": uid, "name": uid} for uid in owners],
            },
        }
    )


def test_entries_grow_from_one_object_to_many_and_back() -> None:
    index = StoreIndex()
    refs = [ObjectRef(CONFIG_MAP, "default", name) for name in ("a", "b", "c")]
    for ref in refs:
        index.put(ref, _config_map(ref.name, {"app": "x", "own": ref.name}, ["owner"]))
    assert [o["metadata"]["name"] for o in index.select(CONFIG_MAP, None, {"app": "x"})] == [
        "a",
        "b",
        "c",
    ]
    assert [o["metadata"]["name"] for o in index.select(CONFIG_MAP, None, {"own": "b"})] == ["b"]
    assert index.dependents("owner") == refs
    index.pop(refs[0])
    index.pop(refs[2])
    assert [o["metadata"]["name"] for o in index.select(CONFIG_MAP, None, {"app": "x"})] == ["b"]
    assert index.dependents("owner") == [refs[1]]
    # A relabelled object leaves its old label's entry and joins the new one's.
    index.put(refs[1], _config_map("b", {"app": "y"}, ["other"]))
    assert index.select(CONFIG_MAP, None, {"app": "x"}) == []
    assert index.select(CONFIG_MAP, None, {"own": "b"}) == []
    assert [o["metadata"]["name"] for o in index.select(CONFIG_MAP, None, {"app": "y"})] == ["b"]
    assert index.dependents("owner") == []
    assert index.dependents("other") == [refs[1]]
    index.pop(refs[1])
    assert index.select(CONFIG_MAP, None, {"app": "y"}) == []
    assert index.dependents("other") == []


def test_a_key_holds_its_one_reference_and_a_set_only_from_the_second() -> None:
    a, b, c = (ObjectRef(CONFIG_MAP, "default", name) for name in "abc")
    index: dict[str, Refs] = {}
    add_ref(index, "key", a)
    add_ref(index, "key", ObjectRef(CONFIG_MAP, "default", "a"))  # equal: still one
    assert index == {"key": a}
    add_ref(index, "key", b)
    add_ref(index, "key", c)
    assert index == {"key": {a, b, c}}
    assert sorted(refs_in(index["key"])) == [a, b, c]
    discard_ref(index, "key", c)
    discard_ref(index, "key", c)  # not there: nothing changes
    assert index == {"key": {a, b}}
    discard_ref(index, "key", a)
    assert index == {"key": b}
    discard_ref(index, "key", a)
    assert index == {"key": b}
    discard_ref(index, "key", b)
    assert index == {}
    assert list(refs_in(index.get("key"))) == []


def test_an_object_keeps_one_reference_through_its_versions() -> None:
    store = MemoryCluster()
    created = store.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"k": "v"}}}
    )
    for value in ("1", "2"):
        current = store.get(CONFIG_MAP, "default", "a")
        store.update({**current, "data": {"value": value}})
    ref = ObjectRef(CONFIG_MAP, "default", "a")
    held = [key for key in store._index.objects if key == ref]
    assert held == [ref]
    assert store._by_uid[created["metadata"]["uid"]] is held[0]
    # Its strings are the metadata's own, its kind the one of every other ConfigMap.
    assert held[0].name is store.get(CONFIG_MAP, "default", "a")["metadata"]["name"]
    store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}})
    other = store._by_uid[store.get(CONFIG_MAP, "default", "b")["metadata"]["uid"]]
    assert other.kind is held[0].kind
