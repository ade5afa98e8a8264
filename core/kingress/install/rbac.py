"""Least-privilege RBAC for the controller, generated from what the code uses.

``ACCESS`` lists every (group, resource, verbs) the controllers, their
backends and the runtime need: kingress's own kinds come from the CRD table,
the rest is listed here with the reason. Leases live in a namespaced Role
(the controller only elects a leader in its own namespace).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kingress.install.crds import CRDS

READ = ("get", "list", "watch")
WRITE = (*READ, "create", "update", "patch", "delete")
STATUS = ("get", "update", "patch")
#: What the leader elector does with its Lease.
LEASE_VERBS = ("get", "create", "update")


@dataclass(frozen=True, slots=True)
class Access:
    """Verbs on resources of one API group."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]

    def rule(self) -> dict[str, Any]:
        """The RBAC PolicyRule."""
        return {
            "apiGroups": [self.group],
            "resources": list(self.resources),
            "verbs": list(self.verbs),
        }


def _own_kinds() -> tuple[Access, ...]:
    by_group: dict[str, list[str]] = {}
    for spec in CRDS:
        by_group.setdefault(spec.group, []).append(spec.plural)
    rules: list[Access] = []
    for group, plurals in by_group.items():
        rules.append(Access(group, tuple(plurals), WRITE))
        rules.append(Access(group, tuple(f"{p}/status" for p in plurals), STATUS))
    return tuple(rules)


#: Everything the controller does cluster-wide.
ACCESS: tuple[Access, ...] = (
    *_own_kinds(),
    # Revisions' and Routes' Services (placeholders included) and Deployments.
    Access("", ("services",), WRITE),
    Access("apps", ("deployments",), WRITE),
    # Backends read the Endpoints behind splits; the prober finds gateway pods there.
    Access("", ("endpoints",), READ),
    # Revisions read their pods' states to explain why a Deployment is not available.
    Access("", ("pods",), READ),
    # config-network, config-domain, backend configuration: read only.
    Access("", ("configmaps",), READ),
    # TLS certificates named by ClusterIngress tls entries: read only.
    Access("", ("secrets",), READ),
    Access("", ("events",), ("create", "patch")),
    # What the in-tree backends produce.
    Access("networking.istio.io", ("virtualservices", "gateways"), WRITE),
    Access("projectcontour.io", ("httpproxies", "tlscertificatedelegations"), WRITE),
    Access("k8s.nginx.org", ("virtualservers",), WRITE),
    Access("networking.k8s.io", ("ingresses",), WRITE),
)

#: What the controller does in its own namespace only.
NAMESPACED_ACCESS: tuple[Access, ...] = (Access("coordination.k8s.io", ("leases",), LEASE_VERBS),)


def allowed(group: str, resource: str, verb: str) -> bool:
    """Whether the generated RBAC grants ``verb`` on ``resource`` of ``group``."""
    return any(
        a.group == group and resource in a.resources and verb in a.verbs
        for a in (*ACCESS, *NAMESPACED_ACCESS)
    )
