"""What "converged with nothing lost, duplicated or orphaned" means, as comparable data.

A run under faults is judged against an uninterrupted offline ``settle`` of the
same input. Both stores are reduced to their *shape*: for every object (by
kind, namespace and name) its labels, annotations, owner references (by kind
and name, since uids differ between stores), everything outside ``metadata``
and ``status``, and its status without timestamps. ResourceVersions, uids and
generations are left out (how often a child's spec was rewritten on the way
depends on the order events arrived in, not on correctness); so are the
objects only one side can have (the leader-election Lease, the API's
namespaces and CRDs).

``violations`` checks what must hold in any converged store on its own: every
owner reference resolves to a live object with that uid, each Configuration
has exactly one Revision for its current generation and never two for one
generation, and each Route has exactly one ClusterIngress.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from kingress.api.annotations import CONFIGURATION_GENERATION_LABEL, CONFIGURATION_LABEL
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef, WatchEvent

#: Kinds that belong to the harness, not to what the controllers made.
NOT_COMPARED = frozenset(
    {
        Kind("coordination.k8s.io", "Lease"),
        Kind("", "Namespace"),
        Kind("apiextensions.k8s.io", "CustomResourceDefinition"),
    }
)
CONFIGURATION = Kind("serving.knative.dev", "Configuration")
REVISION = Kind("serving.knative.dev", "Revision")
ROUTE = Kind("serving.knative.dev", "Route")
CLUSTER_INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")

Shape = dict[str, Any]


def objects_of(store: MemoryCluster) -> list[Object]:
    """Every object in the store that the comparison looks at."""
    return [obj for kind in store.kinds() if kind not in NOT_COMPARED for obj in store.list(kind)]


#: Status fields that hold the time of a change, which differs between any two runs.
TIMESTAMPS = frozenset({"lastTransitionTime", "lastUpdateTime"})


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list):
        return [_timeless(item) for item in value]
    return value


def shape(objects: Iterable[Object]) -> dict[str, Shape]:
    """Each object's comparable shape, keyed by ``ObjectRef`` text."""
    shapes: dict[str, Shape] = {}
    for obj in objects:
        meta = obj.get("metadata") or {}
        shapes[str(ObjectRef.of(obj))] = {
            "labels": meta.get("labels") or {},
            "annotations": meta.get("annotations") or {},
            "owners": sorted(
                (str(ref.get("kind")), str(ref.get("name")), bool(ref.get("controller")))
                for ref in meta.get("ownerReferences") or ()
            ),
            "body": {k: v for k, v in obj.items() if k not in ("metadata", "status")},
            "status": _timeless(obj.get("status") or {}),
        }
    return shapes


def differences(expected: dict[str, Shape], actual: dict[str, Shape]) -> list[str]:
    """Human-readable differences: missing, extra, and changed objects (which part)."""
    found = [f"missing: {key}" for key in sorted(expected.keys() - actual.keys())]
    found += [f"extra: {key}" for key in sorted(actual.keys() - expected.keys())]
    for key in sorted(expected.keys() & actual.keys()):
        for part, want in expected[key].items():
            got = actual[key][part]
            if got != want:
                found.append(f"{key}: {part} is {got!r}, expected {want!r}")
    return found


def violations(objects: Iterable[Object]) -> list[str]:
    """Broken owner references, Revision counts per generation, ingresses per Route."""
    objects = list(objects)
    uids = {obj["metadata"]["uid"]: obj for obj in objects}
    found: list[str] = []
    for obj in objects:
        for owner in obj["metadata"].get("ownerReferences") or ():
            target = uids.get(owner.get("uid"))
            if target is None or target["kind"] != owner.get("kind"):
                found.append(f"{ObjectRef.of(obj)}: owner {owner.get('name')} does not exist")
    revisions: Counter[tuple[str, str, str]] = Counter()
    for obj in objects:
        if Kind.of(obj) == REVISION:
            labels = obj["metadata"].get("labels") or {}
            revisions[
                (
                    obj["metadata"].get("namespace", ""),
                    labels.get(CONFIGURATION_LABEL, ""),
                    labels.get(CONFIGURATION_GENERATION_LABEL, ""),
                )
            ] += 1
    for obj in objects:
        if Kind.of(obj) == CONFIGURATION:
            namespace, name = obj["metadata"].get("namespace", ""), obj["metadata"]["name"]
            current = int(obj["metadata"]["generation"])
            for generation in range(1, current + 1):
                count = revisions[(namespace, name, str(generation))]
                if count > 1 or (generation == current and count != 1):
                    found.append(
                        f"Configuration {namespace}/{name}: {count} Revisions "
                        f"for generation {generation}"
                    )
    ingresses = Counter(
        (obj["metadata"].get("namespace", ""), owner.get("name"))
        for obj in objects
        if Kind.of(obj) == CLUSTER_INGRESS
        for owner in obj["metadata"].get("ownerReferences") or ()
        if owner.get("kind") == "Route"
    )
    for obj in objects:
        if Kind.of(obj) == ROUTE:
            key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if ingresses[key] != 1:
                found.append(f"Route {key[0]}/{key[1]}: {ingresses[key]} ClusterIngresses")
    return found


def failures_reported(events: Iterable[WatchEvent]) -> list[str]:
    """Every ``Ready=False`` any object reported on the way (reason and message), once each.

    Faults of the API must delay convergence, never show as a failure: a
    Service that turns ``Ready=False`` because a write met a 409 pages someone.
    """
    found: dict[str, None] = {}
    for event in events:
        conditions = (event.object.get("status") or {}).get("conditions") or ()
        for condition in conditions:
            if condition.get("type") == "Ready" and condition.get("status") == "False":
                key = (
                    f"{ObjectRef.of(event.object)}: {condition.get('reason')}: "
                    f"{condition.get('message')}"
                )
                found[key] = None
    return list(found)
