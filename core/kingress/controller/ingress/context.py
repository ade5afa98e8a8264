"""Reading what a translation may use from the cluster into a ``TranslateContext``.

Conventions (documented in docs/clusteringress.md):

- a backend's configuration is the ``data`` of the ConfigMap ``config-<backend
  name>`` in the system namespace (``knative-serving`` unless configured); a
  missing ConfigMap is an empty configuration;
- ``services`` holds, for every Service some split names, its ports, type,
  clusterIP and externalName, and the ready addresses of its ``Endpoints``; a
  missing Service is simply absent, a missing Endpoints means no endpoints.

``read_context`` also returns every reference it tried to read, found or not,
so the reconciler can be re-triggered when one of them appears or changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kingress.api.ingress import ClusterIngress
from kingress.backends import BackendService, EndpointAddress, ServicePort, TranslateContext
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef

CONFIG_MAP = Kind("", "ConfigMap")
SERVICE = Kind("", "Service")
ENDPOINTS = Kind("", "Endpoints")


@dataclass(frozen=True, slots=True, kw_only=True)
class IngressSettings:
    """Controller settings: backend configuration, cluster domain, shared secret namespaces."""

    #: Namespace of the backends' ConfigMaps (Knative's system namespace).
    system_namespace: str = "knative-serving"
    #: The cluster's DNS domain, passed to every translation.
    cluster_domain: str = "cluster.local"
    #: Namespaces whose TLS secrets an ingress of another namespace may name, and
    #: where a backend may then place the kinds it declares in
    #: ``cross_namespace_kinds`` (Contour's TLSCertificateDelegation). Empty: none.
    shared_secret_namespaces: frozenset[str] = frozenset()

    def config_map(self, backend_name: str) -> ObjectRef:
        """The ConfigMap holding a backend's configuration: ``config-<backend name>``."""
        return ObjectRef(CONFIG_MAP, self.system_namespace, f"config-{backend_name}")


def split_services(ingress: ClusterIngress) -> list[tuple[str, str]]:
    """Every (namespace, name) of a Service some split references, sorted."""
    return sorted(
        {
            (split.service_namespace, split.service_name)
            for rule in ingress.spec.rules
            if rule.http is not None
            for path in rule.http.paths
            for split in path.splits
        }
    )


def read_context(
    cluster: Cluster, backend_name: str, ingress: ClusterIngress, settings: IngressSettings
) -> tuple[TranslateContext, tuple[ObjectRef, ...]]:
    """The context for translating ``ingress``, and every object reference read for it."""
    config_ref = settings.config_map(backend_name)
    config = _get(cluster, config_ref)
    reads = [config_ref]
    services: dict[tuple[str, str], BackendService] = {}
    for namespace, name in split_services(ingress):
        service_ref = ObjectRef(SERVICE, namespace, name)
        endpoints_ref = ObjectRef(ENDPOINTS, namespace, name)
        reads += [service_ref, endpoints_ref]
        service = _get(cluster, service_ref)
        if service is not None:
            services[(namespace, name)] = backend_service(service, _get(cluster, endpoints_ref))
    context = TranslateContext(
        config=_string_map((config or {}).get("data")),
        cluster_domain=settings.cluster_domain,
        services=services,
    )
    return context, tuple(reads)


def backend_service(service: Object, endpoints: Object | None) -> BackendService:
    """What a translation needs to know of a Service and its Endpoints."""
    metadata = service.get("metadata") or {}
    spec = service.get("spec") or {}
    return BackendService(
        namespace=metadata.get("namespace") or "",
        name=metadata.get("name") or "",
        type=spec.get("type") or "ClusterIP",
        cluster_ip=spec.get("clusterIP") or "",
        external_name=spec.get("externalName") or "",
        ports=tuple(_service_port(port) for port in spec.get("ports") or ()),
        endpoints=ready_addresses(endpoints) if endpoints is not None else (),
    )


def ready_addresses(endpoints: Object) -> tuple[EndpointAddress, ...]:
    """Every ready (address, port) of an Endpoints object, sorted."""
    found = {
        EndpointAddress(ip=address["ip"], port=port["port"], port_name=port.get("name") or "")
        for subset in endpoints.get("subsets") or ()
        for address in subset.get("addresses") or ()
        if address.get("ip")
        for port in subset.get("ports") or ()
        if port.get("port")
    }
    return tuple(sorted(found, key=lambda a: (a.ip, a.port, a.port_name)))


def _service_port(port: Mapping[str, Any]) -> ServicePort:
    return ServicePort(
        name=port.get("name") or "",
        port=port["port"],
        target_port=port.get("targetPort"),
        app_protocol=port.get("appProtocol") or "",
    )


def _get(cluster: Cluster, ref: ObjectRef) -> Object | None:
    try:
        return cluster.get(ref.kind, ref.namespace, ref.name)
    except NotFound:
        return None


def _string_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(key): str(item) for key, item in sorted(value.items())}
