"""Frozen values: equal parts are shared, never confused, and the parse memo is bounded."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest

from kingress import frozen
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.frozen import FrozenDict, FrozenList, ReadOnlyError, freeze, freeze_version, thaw

CONFIG_MAP = Kind("", "ConfigMap")


def _owner(uid: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Thing", "name": "owner", "uid": uid, "controller": True}


def test_equal_parts_of_different_objects_are_one_object() -> None:
    first = freeze({"spec": {"gateways": ["a/b", "c/d"]}, "owners": [_owner("u1")]})
    second = freeze({"spec": {"gateways": ["a/b", "c/d"]}, "owners": [_owner("u1")]})
    assert first["spec"] is second["spec"]
    assert first["owners"] is second["owners"]
    assert first["spec"]["gateways"][0] is second["spec"]["gateways"][0]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"v": 1}, {"v": True}),
        ({"v": 1}, {"v": 1.0}),
        ({"v": 0}, {"v": False}),
        ({"v": None}, {"v": []}),
        ({"v": []}, {"v": {}}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"v": [1, 2]}, {"v": [2, 1]}),
        ({"v": "x" * 500}, {"v": "x" * 499 + "y"}),
        ({"v": 10**20}, {"v": 10**20 + 1}),
        ({1: "a"}, {"1": "a"}),
    ],
)
def test_parts_that_differ_as_json_are_never_shared(one: Any, other: Any) -> None:
    a, b = freeze(one), freeze(other)
    assert a is not b
    assert list(a.items()) == list(one.items())
    assert list(b.items()) == list(other.items())
    assert [type(v) for v in thaw(a).values()] == [type(v) for v in one.values()]
    assert json.dumps(a) == json.dumps(one)


def test_shared_parts_are_still_read_only_and_thaw_to_private_copies() -> None:
    first = freeze({"labels": {"app": "x"}})
    second = freeze({"labels": {"app": "x"}})
    with pytest.raises(ReadOnlyError):
        first["labels"]["app"] = "y"
    mine = thaw(first)
    mine["labels"]["app"] = "y"
    assert second["labels"] == {"app": "x"}


def test_the_store_shares_parts_between_objects_and_versions() -> None:
    store = MemoryCluster()
    for name in ("a", "b"):
        store.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "labels": {"app": "x", "tier": "web"}},
                "data": {"key": "value"},
            }
        )
    a = store.get(CONFIG_MAP, "default", "a")
    b = store.get(CONFIG_MAP, "default", "b")
    assert a["data"] is b["data"]
    assert a["metadata"]["labels"] is b["metadata"]["labels"]
    store.update({**a, "metadata": {**a["metadata"], "annotations": {"v": "2"}}})
    assert store.get(CONFIG_MAP, "default", "a")["data"] is a["data"]


def test_the_canonical_table_forgets_what_nobody_holds() -> None:
    marker = {"only-here": ["once", {"deep": 41}]}
    held = freeze(marker)
    frozen.sweep(force=True)
    assert any(value is held for value in frozen._CANONICAL.values())
    parts = len(frozen._CANONICAL)
    del held
    # A sweep drops the outer dict; its parts go in the sweeps after it.
    for _ in range(3):
        frozen.sweep(force=True)
    assert not any(
        type(value) is FrozenDict and "only-here" in value for value in frozen._CANONICAL.values()
    )
    assert len(frozen._CANONICAL) <= parts - 3
    assert freeze(marker) == marker


def test_only_the_objects_parsed_last_keep_their_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frozen, "PARSED_KEPT", 3)
    monkeypatch.setattr(frozen, "_PARSED", OrderedDict())
    objects = [freeze({"name": f"o{index}"}) for index in range(5)]
    for obj in objects:
        obj.remember_parsed(str, obj["name"])
    assert [obj.parsed(str) for obj in objects] == [None, None, "o2", "o3", "o4"]
    assert objects[4].parsed(int) is None


def test_forgotten_objects_leave_their_place_to_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frozen, "PARSED_KEPT", 2)
    monkeypatch.setattr(frozen, "_PARSED", OrderedDict())
    first, second, third = (freeze({"name": f"p{index}"}) for index in range(3))
    first.remember_parsed(str, "first")
    second.remember_parsed(str, "second")
    first.remember_parsed(int, 1)  # parsed again into another class: same place
    second.forget_parsed()
    third.remember_parsed(str, "third")
    assert (first.parsed(int), first.parsed(str), second.parsed(str), third.parsed(str)) == (
        1,
        None,
        None,
        "third",
    )


def test_frozen_dicts_are_as_small_as_dicts() -> None:
    # A slot would cost 16 bytes on each of the store's millions of frozen dicts.
    assert FrozenDict.__basicsize__ == dict.__basicsize__
    assert FrozenList.__basicsize__ == list.__basicsize__


def test_a_forgotten_object_is_not_kept_alive_by_the_memo() -> None:
    obj = freeze({"name": "gone-soon", "payload": ["x" * 1000]})
    obj.remember_parsed(str, "model")
    assert any(entry[0] is obj for entry in frozen._PARSED.values())
    obj.forget_parsed()
    assert obj.parsed(str) is None
    assert not any(entry[0] is obj for entry in frozen._PARSED.values())


def test_one_sweep_drops_a_container_and_every_part_only_it_held() -> None:
    held = freeze({"held-alone": ["twice", {"deeper": ["still", {"deepest": 43}]}]})
    frozen.sweep(force=True)
    del held
    frozen.sweep(force=True)
    assert not any(
        value == {"deepest": 43} or "still" in value or "twice" in value
        for value in frozen._CANONICAL.values()
    )


def test_a_sweep_keeps_what_others_still_hold() -> None:
    inner = freeze({"kept-inner": [1, 2]})
    outer = freeze({"gone-outer": inner})
    frozen.sweep(force=True)
    del outer
    frozen.sweep(force=True)
    assert any(value is inner for value in frozen._CANONICAL.values())
    assert any(value is inner["kept-inner"] for value in frozen._CANONICAL.values())
    assert freeze({"kept-inner": [1, 2]}) is inner


def test_stored_versions_share_their_parts_but_are_not_held_for_sharing() -> None:
    store = MemoryCluster()
    created = store.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "versioned", "labels": {"app": "v"}},
            "data": {"key": "value"},
        }
    )
    assert not any(
        value is created or value is created["metadata"] for value in frozen._CANONICAL.values()
    )
    assert any(value is created["data"] for value in frozen._CANONICAL.values())
    assert any(value is created["metadata"]["labels"] for value in frozen._CANONICAL.values())
    with pytest.raises(ReadOnlyError):
        created["metadata"]["name"] = "other"
    assert freeze_version(thaw(created)) == created


def test_the_table_keys_are_hashes_cut_to_two_digit_integers() -> None:
    freeze({"cut-key": ["a", {"b": 1}]})
    assert frozen._CANONICAL
    assert all(0 <= key <= frozen._KEY_MASK for key in frozen._CANONICAL)
    assert frozen._KEY_MASK.bit_length() == 60


def test_colliding_keys_never_share_unequal_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every container gets the same key: each lookup finds the last one held,
    # which is compared part by part, so unequal containers stay apart.
    monkeypatch.setattr(frozen, "_KEY_MASK", 0)
    one = freeze({"collide": ["one"]})
    other = freeze({"collide": ["other"]})
    assert one == {"collide": ["one"]}
    assert other == {"collide": ["other"]}
    assert other is not one
    assert other["collide"] is not one["collide"]


#: Too long to intern: a container holding it is never shared by ``freeze`` itself
#: (its copies are other string objects), only by ``freeze_like``.
LONG = "v" * 200


@pytest.mark.parametrize(
    ("value", "like", "shared"),
    [
        # An equal container is the held one.
        ({"spec": {"a": [LONG, 2]}}, {"spec": {"a": [LONG, 2]}, "status": {}}, [("spec",)]),
        # Down to where they differ, by key.
        (
            {"spec": {"a": [LONG], "b": {"c": 1}}},
            {"spec": {"a": [LONG], "b": {"c": 2}}},
            [("spec", "a")],
        ),
        # Lists of equal length by position.
        ({"l": [{"x": LONG}, {"y": 1}]}, {"l": [{"x": LONG}, {"y": 2}]}, [("l", 0)]),
        # Lists of another length are frozen anew.
        ({"l": [{"x": 1}]}, {"l": [{"x": 1}, {"y": 2}]}, []),
        # Keys the held value lacks, or holds as another kind of part.
        ({"new": {"x": 1}, "s": {"x": 1}}, {"s": [{"x": 1}]}, []),
    ],
)
def test_freeze_like_takes_the_held_parts_that_are_equal(
    value: dict[str, Any], like: dict[str, Any], shared: list[tuple[Any, ...]]
) -> None:
    held = freeze(json.loads(json.dumps(like)))
    # A copy with strings of its own, as a decoded translation has.
    result = frozen.freeze_like(json.loads(json.dumps(value)), held)
    by_freeze = freeze(json.loads(json.dumps(value)))
    assert result == value
    assert type(result) is FrozenDict
    with pytest.raises(ReadOnlyError):
        result["added"] = 1
    for path in shared:
        mine: Any = result
        theirs: Any = held
        alone: Any = by_freeze
        for step in path:
            mine, theirs, alone = mine[step], theirs[step], alone[step]
        assert mine is theirs
        assert alone is not theirs  # what freeze_like adds to freeze
    # Whatever is not the held one is frozen all the same.
    assert all(type(part) in (FrozenDict, FrozenList, int) for part in result.values())


def test_freeze_like_anything_but_a_frozen_container_is_freeze() -> None:
    value = {"a": {"b": [1]}}
    assert frozen.freeze_like(value, {"a": {"b": [1]}}) is freeze(value)
    assert frozen.freeze_like(value, None) is freeze(value)
    assert frozen.freeze_like("text", freeze({"a": 1})) == "text"


def _frozen_throughout(value: Any) -> bool:
    if isinstance(value, dict):
        return type(value) is FrozenDict and all(map(_frozen_throughout, value.values()))
    if isinstance(value, list):
        return type(value) is FrozenList and all(map(_frozen_throughout, value))
    return True


def _held(value: Any) -> bool:
    return any(part is value for part in frozen._CANONICAL.values())


_VERSION = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c", "resourceVersion": "7", "labels": {"app": "loads"}},
    "data": {"key": "loads-1", "list": ["loads-2", 2, True, None]},
    # Floats, long strings and large integers are not shared: nor is what holds them.
    "extra": [2.5, "x" * 200, 10**20],
}


@pytest.mark.parametrize(
    "document",
    [
        {"spec": {"gateways": ["a/b", "c/d"]}, "owners": [_owner("u1")]},
        [{"x": 1}, [[1, "a"], []], "s", 3],
        {"v": [1, True, 1.0, 0, False, None, [], {}]},
        {"a": 1, "b": 2, "nested": {"b": 2, "a": 1}},
        _VERSION,
        {"items": [_VERSION], "metadata": {"resourceVersion": "9", "continue": "t"}},
        {"type": "ADDED", "object": _VERSION},
        "just a string",
        12,
        None,
    ],
)
def test_loads_decodes_what_freeze_would_freeze(document: Any) -> None:
    text = json.dumps(document)
    loaded = frozen.loads(text)
    assert loaded == freeze(json.loads(text)) == document
    assert json.dumps(loaded) == text  # types and order as sent: 1 is not True, nor 1.0
    assert _frozen_throughout(loaded)
    assert frozen.loads(text.encode()) == loaded


def test_loads_shares_parts_with_what_freeze_holds() -> None:
    held = freeze({"spec": {"gateways": ["loads/a", "loads/b"]}, "port": {"number": 8080}})
    loaded = frozen.loads(json.dumps({"spec": {"gateways": ["loads/a", "loads/b"]}, "n": 1}))
    assert loaded["spec"] is held["spec"]
    # Integers are shared as freeze shares them, or no container holding one could be.
    assert frozen.loads(json.dumps({"number": 8080})) is held["port"]


def test_loads_holds_no_version_nor_what_holds_one() -> None:
    # A version (its metadata has a resourceVersion) equals no other: holding it, or a
    # list page or watch event around it, would only keep it alive until a sweep.
    page = frozen.loads(json.dumps({"kind": "List", "items": [_VERSION]}))
    event = frozen.loads(json.dumps({"type": "ADDED", "object": _VERSION}))
    for version in (page["items"][0], event["object"]):
        assert not _held(version)
        assert not _held(version["metadata"])
        assert _held(version["data"])
        assert _held(version["metadata"]["labels"])
    assert not _held(page) and not _held(page["items"]) and not _held(event)
    # Its parts are shared all the same, with the other copy and with the store's.
    assert page["items"][0]["data"] is event["object"]["data"]
    stored = MemoryCluster().create(thaw(event["object"]))
    assert stored["data"] is event["object"]["data"]


def test_a_frozen_version_is_kept_as_it_is() -> None:
    version = frozen.loads(json.dumps(_VERSION))
    assert freeze_version(version) is version
    assert freeze_version(thaw(version)) == version
