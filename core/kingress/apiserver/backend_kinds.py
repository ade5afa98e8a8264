"""Serving the backends' own kinds from the embedded API.

On a cluster, a gateway's CRDs (Istio's VirtualService, Contour's HTTPProxy…)
are installed with the gateway. ``kingress apiserver`` has no gateway, so it
defines each kind the installed backends declare (``Backend.resource_kinds``)
with a minimal CRD: the names the API needs for its URLs, and a schema that
accepts any object (the backends' output is checked against the real upstream
schemas in kingress's tests, not here).
"""

from __future__ import annotations

from typing import Any

from kingress.backends import BackendRegistry, ResourceKind, resource_kinds
from kingress.cluster.errors import AlreadyExists
from kingress.cluster.port import Cluster, group_of

_OPEN_SCHEMA = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def minimal_crd(kind: ResourceKind) -> dict[str, Any]:
    """A CRD that serves ``kind`` (one version, any content, a status subresource)."""
    group, version = group_of(kind.api_version), kind.api_version.rpartition("/")[2]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{kind.plural}.{group}",
            "labels": {"app.kubernetes.io/managed-by": "kingress-apiserver"},
        },
        "spec": {
            "group": group,
            "names": {
                "kind": kind.kind,
                "listKind": f"{kind.kind}List",
                "plural": kind.plural,
                "singular": kind.kind.lower(),
            },
            "scope": "Namespaced" if kind.namespaced else "Cluster",
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": _OPEN_SCHEMA},
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def install_backend_kinds(store: Cluster, backends: BackendRegistry) -> list[str]:
    """Define every declared backend kind not yet served; returns the CRD names created."""
    created = []
    for entry in backends.entries():
        for kind in resource_kinds(entry.backend):
            crd = minimal_crd(kind)
            try:
                store.create(crd)
            except AlreadyExists:
                continue
            created.append(crd["metadata"]["name"])
    return created
