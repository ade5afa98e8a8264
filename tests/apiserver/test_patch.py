"""The three patch formats, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.apiserver.patch import (
    JSON_PATCH,
    STRATEGIC_MERGE_PATCH,
    UnsupportedMediaType,
    apply_patch,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from kingress.cluster.errors import Invalid

POD: dict[str, Any] = {
    "metadata": {"finalizers": ["a"]},
    "spec": {
        "containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "sidecar", "image": "side:1"},
        ],
        "ports": [{"port": 80, "name": "http"}],
    },
}


def test_merge_patch_merges_maps_deletes_nulls_replaces_lists() -> None:
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert merge_patch(target, {"a": {"b": None, "d": 3}, "l": [3]}) == {
        "a": {"c": 2, "d": 3},
        "l": [3],
    }


def test_json_patch_operations() -> None:
    doc = {"a": [1, 2], "b": {"c": "x"}}
    patched = json_patch(
        doc,
        [
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "replace", "path": "/b/c", "value": "y"},
            {"op": "copy", "from": "/b/c", "path": "/d"},
            {"op": "move", "from": "/d", "path": "/e"},
            {"op": "remove", "path": "/a/0"},
            {"op": "test", "path": "/e", "value": "y"},
        ],
    )
    assert patched == {"a": [2, 3], "b": {"c": "y"}, "e": "y"}
    assert doc == {"a": [1, 2], "b": {"c": "x"}}
    with pytest.raises(Invalid):
        json_patch(doc, [{"op": "test", "path": "/a/0", "value": 9}])


def test_strategic_merge_merges_containers_by_name() -> None:
    patch = {
        "spec": {
            "containers": [{"name": "app", "image": "app:2", "env": [{"name": "B", "value": "2"}]}]
        }
    }
    result = strategic_merge_patch(POD, patch)
    app, sidecar = result["spec"]["containers"]
    assert app["image"] == "app:2" and sidecar["name"] == "sidecar"
    assert app["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]


def test_strategic_merge_directives() -> None:
    patch = {
        "metadata": {"finalizers": ["b"], "$deleteFromPrimitiveList/finalizers": ["a"]},
        "spec": {
            "containers": [{"name": "sidecar", "$patch": "delete"}, {"name": "new", "image": "n"}],
            "$setElementOrder/containers": [{"name": "new"}, {"name": "app"}],
            "ports": [{"port": 443, "name": "https"}],
        },
    }
    result = strategic_merge_patch(POD, patch)
    assert [c["name"] for c in result["spec"]["containers"]] == ["new", "app"]
    assert result["metadata"]["finalizers"] == ["b"]
    assert [p["port"] for p in result["spec"]["ports"]] == [80, 443]
    replaced = strategic_merge_patch(POD, {"spec": {"$patch": "replace", "x": 1}})
    assert replaced["spec"] == {"x": 1}


def test_strategic_merge_is_for_builtin_kinds_only() -> None:
    assert apply_patch(STRATEGIC_MERGE_PATCH, {}, {"a": 1}, builtin=True) == {"a": 1}
    assert apply_patch(
        JSON_PATCH, {}, [{"op": "add", "path": "/a", "value": 1}], builtin=False
    ) == {"a": 1}
    with pytest.raises(UnsupportedMediaType):
        apply_patch(STRATEGIC_MERGE_PATCH, {}, {"a": 1}, builtin=False)
    with pytest.raises(UnsupportedMediaType):
        apply_patch("application/apply-patch+yaml", {}, {"a": 1}, builtin=True)
