"""The shared applier: create, update or leave alone the children a reconciler wants.

Every reconciler (serving, route, ClusterIngress) writes its children through
here, so ownership, diffing and stale-child cleanup behave the same everywhere:

- a child that exists but is not controlled by the owner is never overwritten
  (``NotOwned``: the caller reports it in a condition);
- a child is updated only when what the owner manages (labels, annotations and
  everything outside ``metadata`` and ``status``) differs, so a second
  reconcile with nothing to do writes nothing;
- fields the API server assigns (a Service's ``clusterIP``) are carried over
  before comparing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object

#: Fields the server assigns and a desired object never sets: (kind, path).
_SERVER_ASSIGNED: Mapping[Kind, tuple[tuple[str, ...], ...]] = {
    Kind("", "Service"): (
        ("spec", "clusterIP"),
        ("spec", "clusterIPs"),
        ("spec", "ipFamilies"),
        ("spec", "ipFamilyPolicy"),
        ("spec", "internalTrafficPolicy"),
    ),
}


class NotOwned(Exception):
    """A child with the wanted name exists but another owner (or nobody) controls it."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f'There is an existing {kind} "{name}" that we do not own.')
        self.kind = kind
        self.name = name


def owner_reference(owner: Object) -> dict[str, Any]:
    """A controller owner reference pointing at ``owner``."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def with_owner(obj: Object, owner: Object) -> Object:
    """``obj`` with ``owner`` as its only controller reference."""
    meta = dict(obj.get("metadata") or {})
    meta["ownerReferences"] = [owner_reference(owner)]
    return {**obj, "metadata": meta}


def is_controlled_by(obj: Object, owner_uid: str) -> bool:
    """Whether ``obj``'s controller reference points at ``owner_uid``."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return any(ref.get("controller") and ref.get("uid") == owner_uid for ref in refs)


def _managed(obj: Object) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    body = {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}
    return {
        "labels": meta.get("labels") or {},
        "annotations": meta.get("annotations") or {},
        "ownerReferences": meta.get("ownerReferences") or [],
        "body": body,
    }


def _carry_server_fields(desired: Object, existing: Object) -> Object:
    paths = _SERVER_ASSIGNED.get(Kind.of(desired), ())
    if not paths:
        return desired
    result = {**desired}
    for path in paths:
        source: Any = existing
        for key in path:
            source = source.get(key) if isinstance(source, dict) else None
        if source is None:
            continue
        parent = result
        for key in path[:-1]:
            parent[key] = dict(parent.get(key) or {})
            parent = parent[key]
        parent.setdefault(path[-1], source)
    return result


def needs_update(desired: Object, existing: Object) -> bool:
    """Whether the owner-managed parts of ``existing`` differ from ``desired``."""
    return _managed(_carry_server_fields(desired, existing)) != _managed(existing)


def ensure(cluster: Cluster, desired: Object, owner: Object | None = None) -> Object:
    """Create ``desired`` or bring the existing child in line with it.

    With an ``owner``, the child gets it as controller reference, and an existing
    child controlled by someone else raises ``NotOwned``.
    """
    if owner is not None:
        desired = with_owner(desired, owner)
    meta = desired["metadata"]
    kind = Kind.of(desired)
    try:
        existing = cluster.get(kind, meta.get("namespace") or "", meta["name"])
    except NotFound:
        return cluster.create(desired)
    if owner is not None and not is_controlled_by(existing, owner["metadata"]["uid"]):
        raise NotOwned(kind.kind, meta["name"])
    if not needs_update(desired, existing):
        return existing
    merged = _carry_server_fields(desired, existing)
    managed_keys = ("labels", "annotations", "ownerReferences")
    metadata = {k: v for k, v in existing["metadata"].items() if k not in managed_keys}
    metadata.update({k: merged["metadata"][k] for k in managed_keys if merged["metadata"].get(k)})
    updated = {**merged, "metadata": metadata}
    return cluster.update(updated)


def delete_stale(
    cluster: Cluster,
    kind: Kind,
    namespace: str,
    labels: Mapping[str, str],
    keep: Iterable[str],
    owner_uid: str | None = None,
) -> list[str]:
    """Delete children selected by ``labels`` whose names are not in ``keep``.

    With ``owner_uid``, only children that owner controls are touched. Returns
    the deleted names.
    """
    wanted = set(keep)
    deleted = []
    for obj in cluster.list(kind, namespace, labels):
        name = obj["metadata"]["name"]
        if name in wanted or (owner_uid is not None and not is_controlled_by(obj, owner_uid)):
            continue
        try:
            cluster.delete(kind, namespace, name)
        except NotFound:
            continue
        deleted.append(name)
    return deleted
