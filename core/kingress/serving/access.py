"""Reading and writing through the cluster port, shared by the serving reconcilers.

The kinds they touch, a ``get`` that answers ``None`` for a missing object, and
the status write every reconciler ends with: only when the status really
changed, so a reconcile with nothing to do writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kingress.api import serving
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.reconciler import Mapper

SERVICE = Kind(serving.GROUP, serving.SERVICE_KIND)
CONFIGURATION = Kind(serving.GROUP, serving.CONFIGURATION_KIND)
REVISION = Kind(serving.GROUP, serving.REVISION_KIND)
ROUTE = Kind(serving.GROUP, serving.ROUTE_KIND)
DEPLOYMENT = Kind("apps", "Deployment")
KUBERNETES_SERVICE = Kind("", "Service")
POD = Kind("", "Pod")


def get(cluster: Cluster, kind: Kind, namespace: str, name: str) -> Object | None:
    """The object, or ``None`` when it does not exist."""
    try:
        return cluster.get(kind, namespace, name)
    except NotFound:
        return None


def is_deleting(obj: Object) -> bool:
    """Whether deletion of the object has started (finalizers pending)."""
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def write_status(cluster: Cluster, obj: Object, status: dict[str, Any]) -> bool:
    """Write ``status`` on ``obj`` if it differs from what is stored; whether it wrote."""
    if (obj.get("status") or {}) == status:
        return False
    cluster.update_status({**obj, "status": status})
    return True


def same_name(kind: Kind) -> Mapper:
    """A watch mapper from any object to the ``kind`` object of the same name."""

    def mapper(obj: Object) -> Iterable[ObjectRef]:
        ref = ObjectRef.of(obj)
        yield ObjectRef(kind, ref.namespace, ref.name)

    return mapper
