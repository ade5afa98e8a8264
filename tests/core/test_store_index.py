"""The store's indexes: entries of one object and of many, one reference per object, pages."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from kingress.cluster.index import (
    Page,
    PageQuery,
    Position,
    Refs,
    StoreIndex,
    add_ref,
    discard_ref,
    refs_in,
)
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.frozen import freeze

CONFIG_MAP = Kind("", "ConfigMap")


def _config_map(
    name: str, labels: dict[str, str], owners: list[str], namespace: str = "default"
) -> Any:
    return freeze(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": namespace,
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


#: Namespaces whose names prefix one another, so a namespace's range must end exactly.
SPACES = ("a", "a-b", "ab", "b")


def _paged_index() -> StoreIndex:
    """Four ConfigMaps in each of ``SPACES``, every other one labelled ``tier=web``."""
    index = StoreIndex()
    for space, number in itertools.product(SPACES, range(4)):
        name = f"cm-{number}"
        labels = {"tier": "web"} if number % 2 == 0 else {}
        index.put(ObjectRef(CONFIG_MAP, space, name), _config_map(name, labels, [], space))
    return index


def _names(page: Page) -> list[str]:
    return [f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in page.items]


def _not_cm_1(obj: Any) -> bool:
    return bool(obj["metadata"]["name"] != "cm-1")


@pytest.mark.parametrize(
    ("case", "namespace", "labels", "after", "limit", "keep", "names", "more", "remaining"),
    [
        ("first page", None, None, None, 3, None, ["a/cm-0", "a/cm-1", "a/cm-2"], True, 13),
        (
            "after a position",
            None,
            None,
            ("a", "cm-3"),
            2,
            None,
            ["a-b/cm-0", "a-b/cm-1"],
            True,
            10,
        ),
        ("last page", None, None, ("b", "cm-1"), 5, None, ["b/cm-2", "b/cm-3"], False, 0),
        ("past the end", None, None, ("c", ""), 5, None, [], False, 0),
        (
            "a namespace, not its prefixes' neighbours",
            "a",
            None,
            None,
            None,
            None,
            ["a/cm-0", "a/cm-1", "a/cm-2", "a/cm-3"],
            False,
            0,
        ),
        (
            "a namespace's page",
            "a-b",
            None,
            ("a-b", "cm-0"),
            2,
            None,
            ["a-b/cm-1", "a-b/cm-2"],
            True,
            1,
        ),
        (
            "a position before the namespace",
            "ab",
            None,
            ("a", "cm-9"),
            1,
            None,
            ["ab/cm-0"],
            True,
            3,
        ),
        ("a position after the namespace", "a", None, ("b", ""), 1, None, [], False, 0),
        ("an unknown namespace", "zz", None, None, 2, None, [], False, 0),
        (
            "a label selector: no count",
            None,
            "tier=web",
            ("a-b", "cm-0"),
            2,
            None,
            ["a-b/cm-2", "ab/cm-0"],
            True,
            None,
        ),
        (
            "a selector's last page",
            "b",
            "tier=web",
            None,
            2,
            None,
            ["b/cm-0", "b/cm-2"],
            False,
            None,
        ),
        ("a further filter", "a", None, None, 2, _not_cm_1, ["a/cm-0", "a/cm-2"], True, None),
        ("both filters", "ab", "tier!=web", None, None, _not_cm_1, ["ab/cm-3"], False, None),
    ],
)
def test_a_page_holds_what_follows_its_position(
    case: str,
    namespace: str | None,
    labels: str | None,
    after: Position | None,
    limit: int | None,
    keep: Any,
    names: list[str],
    more: bool,
    remaining: int | None,
) -> None:
    page = _paged_index().page(CONFIG_MAP, namespace, labels, PageQuery(after, limit, keep))
    assert (_names(page), page.more, page.remaining) == (names, more, remaining), case


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 16, None])
@pytest.mark.parametrize(("namespace", "labels"), [(None, None), ("a-b", None), (None, "tier=web")])
def test_paging_through_a_kind_reads_what_select_does(
    limit: int | None, namespace: str | None, labels: str | None
) -> None:
    index = _paged_index()
    pages, after = [], None
    while True:
        page = index.page(CONFIG_MAP, namespace, labels, PageQuery(after, limit))
        pages += page.items
        if not page.more:
            break
        last = page.items[-1]["metadata"]
        after = (last["namespace"], last["name"])
    assert pages == index.select(CONFIG_MAP, namespace, labels)


def test_objects_that_come_or_go_between_pages_show_where_they_sort() -> None:
    index = _paged_index()
    first = index.page(CONFIG_MAP, "a", None, PageQuery(limit=2))
    # One object comes after the first page's position and one before it.
    index.put(ObjectRef(CONFIG_MAP, "a", "cm-15"), _config_map("cm-15", {}, [], "a"))
    index.put(ObjectRef(CONFIG_MAP, "a", "cm-00"), _config_map("cm-00", {}, [], "a"))
    # An object changed in place is read as it is now.
    index.put(ObjectRef(CONFIG_MAP, "a", "cm-3"), _config_map("cm-3", {"new": "yes"}, [], "a"))
    second = index.page(CONFIG_MAP, "a", None, PageQuery(("a", "cm-1"), 2))
    # One goes before the next page is read.
    index.pop(ObjectRef(CONFIG_MAP, "a", "cm-2"))
    third = index.page(CONFIG_MAP, "a", None, PageQuery(("a", "cm-15"), 2))
    assert _names(first) == ["a/cm-0", "a/cm-1"]
    assert (_names(second), second.more, second.remaining) == (["a/cm-15", "a/cm-2"], True, 1)
    assert (_names(third), third.more, third.remaining) == (["a/cm-3"], False, 0)
    assert third.items[0]["metadata"]["labels"] == {"new": "yes"}
