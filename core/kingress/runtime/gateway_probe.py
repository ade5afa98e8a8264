"""Gateway readiness on a cluster: the ClusterIngress controller's prober.

For backends whose data plane kingress does not run (Istio, Contour, NGINX),
an ingress is ready when every gateway pod answers its probe paths with its
hash. The pods are found the way Knative's listers find them: the load
balancers a translation publishes name the gateway Services
(``domainInternal: <service>.<namespace>.svc.<cluster-domain>``), and their
``Endpoints`` list the pod IPs and ports. Probing itself (concurrency, backoff,
no re-probing of a ready version) is ``kingress.runtime.prober.Prober``'s job.
"""

from __future__ import annotations

from kingress.api.ingress import (
    ClusterIngress,
    LoadBalancerStatus,
    Visibility,
)
from kingress.backends import Readiness, Translation
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, ObjectRef
from kingress.ingress.routing import hosts_for_visibility
from kingress.runtime.prober import PodProber, ProbeTarget

_SERVICE = Kind("", "Service")
_ENDPOINTS = Kind("", "Endpoints")
_CLUSTER_INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")


def service_of(domain_internal: str, cluster_domain: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of ``<name>.<namespace>.svc.<cluster-domain>``, else ``None``."""
    suffix = f".svc.{cluster_domain}"
    if not domain_internal.endswith(suffix):
        return None
    parts = domain_internal.removesuffix(suffix).split(".")
    return (parts[1], parts[0]) if len(parts) == 2 else None


class ClusterGatewayProber:
    """Probes the gateway pods behind an ingress's load balancers."""

    def __init__(
        self, cluster: Cluster, prober: PodProber, *, cluster_domain: str = "cluster.local"
    ) -> None:
        self._cluster = cluster
        self._prober = prober
        self._cluster_domain = cluster_domain

    def probe(self, ingress: ClusterIngress, hash_: str, translation: Translation) -> Readiness:
        """Serving once every gateway pod returns ``hash_``; waiting (never blocking) before."""
        targets: list[ProbeTarget] = []
        for visibility, balancer in (
            (Visibility.EXTERNAL_IP, translation.public_load_balancer),
            (Visibility.CLUSTER_LOCAL, translation.private_load_balancer),
        ):
            hosts = hosts_for_visibility(ingress.spec, visibility)
            if hosts:
                targets.extend(self._targets(balancer, hosts))
        if not targets:
            # Nothing to probe (no Service-backed gateway): Knative counts that as ready.
            return Readiness.serving()
        ref = ObjectRef(_CLUSTER_INGRESS, ingress.metadata.namespace or "", ingress.metadata.name)
        if self._prober.is_ready(ref, hash_, targets):
            return Readiness.serving()
        return Readiness.waiting()

    def _targets(self, balancer: LoadBalancerStatus, hosts: tuple[str, ...]) -> list[ProbeTarget]:
        targets = []
        for entry in balancer.ingress:
            where = service_of(entry.domain_internal or "", self._cluster_domain)
            if where is None:
                continue
            target = self._pods(*where, hosts)
            if target is not None:
                targets.append(target)
        return targets

    def _pods(self, namespace: str, name: str, hosts: tuple[str, ...]) -> ProbeTarget | None:
        try:
            service = self._cluster.get(_SERVICE, namespace, name)
            endpoints = self._cluster.get(_ENDPOINTS, namespace, name)
        except NotFound:
            return None
        ports = (service.get("spec") or {}).get("ports") or []
        http = next((p for p in ports if p.get("port") == 80), ports[0] if ports else None)
        if http is None:
            return None
        for subset in endpoints.get("subsets") or ():
            pod_ips = tuple(a["ip"] for a in subset.get("addresses") or () if a.get("ip"))
            for port in subset.get("ports") or ():
                if pod_ips and port.get("name", "") == http.get("name", ""):
                    return ProbeTarget(pod_ips=pod_ips, port=int(port["port"]), hosts=hosts)
        return None
