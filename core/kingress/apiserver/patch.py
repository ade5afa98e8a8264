"""The three patch formats of the Kubernetes API.

- JSON merge patch (RFC 7386, ``application/merge-patch+json``): maps merge
  recursively, ``null`` deletes, everything else (lists included) replaces.
- JSON patch (RFC 6902, ``application/json-patch+json``): a list of
  ``add``/``remove``/``replace``/``move``/``copy``/``test`` operations.
- Strategic merge patch (``application/strategic-merge-patch+json``), the subset
  kubectl sends for Kubernetes kinds: lists of maps merge by their key
  (``MERGE_KEYS``: containers by ``name``, Service ports by ``port``, container
  ports by ``containerPort``…), ``$patch: delete`` removes an item,
  ``$patch: replace`` replaces a map or list, ``$deleteFromPrimitiveList/<f>``
  and ``$setElementOrder/<f>`` are honoured, ``$retainKeys`` is ignored, and
  lists without a known key are replaced, as Kubernetes does for atomic lists.
"""

from __future__ import annotations

import copy
from typing import Any

from kingress.cluster.errors import ApiError, BadRequest, Invalid

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"

#: Merge keys of Kubernetes list fields, by field name (first key an item has wins).
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "ports": ("containerPort", "port"),
    "ownerReferences": ("uid",),
    "conditions": ("type",),
    "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey",),
}
#: Lists of scalars whose strategy is "merge" (items are added, not replaced).
MERGED_SCALAR_LISTS = frozenset({"finalizers"})


class UnsupportedMediaType(ApiError):
    """A media type this request does not accept (a body in neither JSON nor YAML, strategic
    merge patch for custom kinds)."""

    code = 415
    reason = "UnsupportedMediaType"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- JSON patch ---------------------------------------------------------------


def _pointer(path: object) -> list[str]:
    if not isinstance(path, str):
        raise BadRequest(f"invalid JSON pointer {path!r}: not a string")
    if path == "":
        return []
    if not path.startswith("/"):
        raise BadRequest(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list[Any], token: str, *, inserting: bool) -> int:
    if inserting and token == "-":
        return len(container)
    if not token.isdigit():
        raise Invalid(f"invalid array index {token!r}")
    index = int(token)
    if index > len(container) or (not inserting and index == len(container)):
        raise Invalid(f"array index {index} out of range")
    return index


def _parent(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, list):
            node = node[_index(node, token, inserting=False)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise Invalid(f"path /{'/'.join(tokens)} does not exist")
    return node


def _get(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return doc
    parent = _parent(doc, tokens)
    if isinstance(parent, list):
        return parent[_index(parent, tokens[-1], inserting=False)]
    if isinstance(parent, dict) and tokens[-1] in parent:
        return parent[tokens[-1]]
    raise Invalid(f"path /{'/'.join(tokens)} does not exist")


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens)
    if isinstance(parent, list):
        parent.insert(_index(parent, tokens[-1], inserting=True), value)
    elif isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        raise Invalid(f"cannot add at /{'/'.join(tokens)}")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    _get(doc, tokens)
    parent = _parent(doc, tokens)
    if isinstance(parent, list):
        parent.pop(_index(parent, tokens[-1], inserting=False))
    else:
        del parent[tokens[-1]]
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902."""
    if not isinstance(operations, list):
        raise BadRequest("a JSON patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise BadRequest(f"invalid JSON patch operation: {op!r}")
        tokens = _pointer(op["path"])
        kind = op["op"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise BadRequest(f"JSON patch operation {kind!r} needs a value: {op!r}")
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            doc = _remove(doc, tokens)
        elif kind == "replace":
            _get(doc, tokens)
            doc = _add(_remove(doc, tokens), tokens, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            source = _pointer(op.get("from", ""))
            value = copy.deepcopy(_get(doc, source))
            if kind == "move":
                doc = _remove(doc, source)
            doc = _add(doc, tokens, value)
        elif kind == "test":
            if _get(doc, tokens) != op.get("value"):
                raise Invalid(f"test operation failed at {op['path']}")
        else:
            raise BadRequest(f"unknown JSON patch operation {kind!r}")
    return doc


# -- strategic merge patch -----------------------------------------------------

_DELETE_FROM = "$deleteFromPrimitiveList/"
_ORDER = "$setElementOrder/"


def _merge_key(field: str, items: list[Any]) -> str | None:
    for key in MERGE_KEYS.get(field, ()):
        if any(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _merge_list(field: str, target: Any, patch: list[Any]) -> list[Any]:
    current: list[Any] = list(target) if isinstance(target, list) else []
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [i for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    if field in MERGED_SCALAR_LISTS:
        return current + [i for i in patch if i not in current]
    key = _merge_key(field, patch + current)
    if key is None:
        return [copy.deepcopy(i) for i in patch]
    result = list(current)
    for item in patch:
        if not isinstance(item, dict):
            raise BadRequest(f"{field}: expected objects merged by {key!r}")
        at = next((n for n, c in enumerate(result) if c.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if at is not None:
                result.pop(at)
        elif at is None:
            result.append(strategic_merge_patch({}, item))
        else:
            result[at] = strategic_merge_patch(result[at], item)
    return result


def _ordered(items: list[Any], order: list[Any], field: str) -> list[Any]:
    key = _merge_key(field, items)
    if key is None:
        rank = {repr(v): n for n, v in enumerate(order)}
        return sorted(items, key=lambda i: rank.get(repr(i), len(rank)))
    ranks = {repr(o.get(key)): n for n, o in enumerate(order) if isinstance(o, dict)}
    return sorted(items, key=lambda i: ranks.get(repr(i.get(key)), len(ranks)))


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """The subset of Kubernetes' strategic merge patch described in the module docstring."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = dict(target) if isinstance(target, dict) else {}
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key.startswith((_ORDER, _DELETE_FROM)) and not isinstance(value, list):
            raise BadRequest(f"{key}: expected a list")
        if key.startswith(_ORDER):
            orders[key[len(_ORDER) :]] = value
        elif key.startswith(_DELETE_FROM):
            field = key[len(_DELETE_FROM) :]
            result[field] = [v for v in result.get(field) or () if v not in value]
        elif key.startswith("$"):
            continue
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        elif isinstance(value, dict):
            merged = strategic_merge_patch(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _ordered(result[field], order, field)
    return result


def apply_patch(content_type: str, target: Any, patch: Any, *, builtin: bool) -> Any:
    """Apply a patch of the given media type; 415 for types the resource does not take."""
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media == MERGE_PATCH:
        return merge_patch(target, patch)
    if media == JSON_PATCH:
        return json_patch(target, patch)
    if media == STRATEGIC_MERGE_PATCH and builtin:
        return strategic_merge_patch(target, patch)
    accepted = [JSON_PATCH, MERGE_PATCH] + ([STRATEGIC_MERGE_PATCH] if builtin else [])
    raise UnsupportedMediaType(
        f"the body of the request was in an unknown format - accepted media types include: "
        f"{', '.join(accepted)}"
    )
