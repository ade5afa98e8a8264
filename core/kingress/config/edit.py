"""Writing Knative's configuration maps: what ``--ingress-class``-style options do.

``update_config_map`` applies a change to the data of one map in
``knative-serving``, creating the namespace and the map when missing and
writing nothing when the data stays the same. Used by ``kingress reconcile``
(offline) and by ``kingress demo`` / ``kingress dev`` (class ``envoy``).
"""

from __future__ import annotations

from collections.abc import Callable

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind
from kingress.config import SYSTEM_NAMESPACE

CONFIG_MAP = Kind("", "ConfigMap")
NAMESPACE = Kind("", "Namespace")


def ensure_namespace(cluster: Cluster, name: str) -> None:
    """Create the namespace ``name`` unless it exists."""
    try:
        cluster.get(NAMESPACE, "", name)
    except NotFound:
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def update_config_map(
    cluster: Cluster, name: str, change: Callable[[dict[str, str]], dict[str, str]]
) -> None:
    """Apply ``change`` to the data of ``knative-serving/<name>`` (created if missing)."""
    ensure_namespace(cluster, SYSTEM_NAMESPACE)
    try:
        current = cluster.get(CONFIG_MAP, SYSTEM_NAMESPACE, name)
    except NotFound:
        cluster.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": SYSTEM_NAMESPACE},
                "data": change({}),
            }
        )
        return
    data = change(dict(current.get("data") or {}))
    if data != (current.get("data") or {}):
        cluster.update({**current, "data": data})
