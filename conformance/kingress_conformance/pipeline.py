"""The core's steps around a translation, as the conformance suite takes them.

The suite uses the ClusterIngress controller's own helpers, so a backend is
judged on exactly what the controller would hand it and accept from it:
``kingress.ingress.pipeline.prepare`` (defaults, Knative validation, the probe
paths), ``kingress.ingress.pipeline.translate`` (the backend called, its output
checked against the core's rules and labelled) and
``kingress.controller.ingress.context.backend_service`` (a Service and its
Endpoints as a translation sees them).

``services_context`` makes the wire-form Service and Endpoints the controller
would read for each test Service: one port 80, named ``http2`` with appProtocol
``kubernetes.io/h2c`` for h2c servers (else ``http``), targeting the address
the server listens on; ExternalName Services point at the private gateway,
on port 80 unless the depth knows where it listens (the local depth's
ephemeral private listener: its port is the ExternalName Service's port, as a
client of an ExternalName Service connects to the name on the Service port).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kingress import INGRESS_CLASS, ClusterIngress, TranslateContext
from kingress.controller.ingress.context import backend_service
from kingress.ingress.pipeline import BackendFailure, Prepared, prepare, translate
from kingress_conformance.case import CLUSTER_DOMAIN, NAMESPACE, SERVICE_PORT, Case, TestService

__all__ = ["BackendFailure", "Prepared", "prepare", "services_context", "translate", "with_class"]


def with_class(ingress: ClusterIngress, ingress_class: str | None) -> ClusterIngress:
    """The ingress with the class annotation set to ``ingress_class`` (removed for ``None``)."""
    annotations = {k: v for k, v in ingress.metadata.annotations.items() if k != INGRESS_CLASS}
    if ingress_class is not None:
        annotations[INGRESS_CLASS] = ingress_class
    metadata = ingress.metadata.model_copy(update={"annotations": annotations})
    return ingress.model_copy(update={"metadata": metadata})


#: Where a test Service's server listens: (ip, port); for an ExternalName Service, where its
#: target listens, or ``None`` for the Service port 80.
Address = Callable[[TestService], tuple[str, int] | None]
#: What an ExternalName test Service points at.
ExternalName = Callable[[TestService], str]


def service_objects(
    service: TestService, address: tuple[str, int] | None, external: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The wire-form Service (and Endpoints, for a served one) of a test Service."""
    port: dict[str, Any] = {"name": service.port_name, "port": SERVICE_PORT, "protocol": "TCP"}
    if service.app_protocol:
        port["appProtocol"] = service.app_protocol
    metadata = {"name": service.name, "namespace": NAMESPACE, "labels": {"app": service.name}}
    if service.external is not None:
        port["port"] = address[1] if address else SERVICE_PORT
        spec: dict[str, Any] = {"type": "ExternalName", "externalName": external, "ports": [port]}
        return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}, None
    port["targetPort"] = address[1] if address else SERVICE_PORT
    spec = {"type": "ClusterIP", "selector": {"app": service.name}, "ports": [port]}
    endpoints = None
    if address is not None:
        subset = {
            "addresses": [{"ip": address[0]}],
            "ports": [{"name": service.port_name, "port": address[1], "protocol": "TCP"}],
        }
        endpoints = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": metadata,
            "subsets": [subset],
        }
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}, endpoints


def services_context(
    case: Case,
    address: Address,
    external: ExternalName,
    config: Mapping[str, str] | None = None,
) -> TranslateContext:
    """The context for translating the case's ingresses."""
    services = {
        (NAMESPACE, s.name): backend_service(
            *service_objects(s, address(s), external(s) if s.external else "")
        )
        for s in case.services
    }
    return TranslateContext(
        config=dict(config or {}), cluster_domain=CLUSTER_DOMAIN, services=services
    )
