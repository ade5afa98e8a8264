"""The core's steps before a backend translates, as the conformance suite takes them.

``prepare`` does what the ClusterIngress controller does to every ingress:
default and validate (``kingress.api.ingress_validation.check``, Knative's
rules), drop status, and insert the probe paths (``kingress.insert_probe``).
It is a local equivalent of the controller's own preparation step, kept
identical in effect; when that step is published by the core, this module
calls it instead.

``services_context`` builds the ``TranslateContext`` the controller would read
from the cluster for the case's test Services: one port (80, named ``http2``
with appProtocol ``kubernetes.io/h2c`` for h2c servers, else ``http``) and the
address the server listens on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kingress import (
    INGRESS_CLASS,
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    TranslateContext,
    insert_probe,
)
from kingress.api.ingress import IngressStatus
from kingress.api.ingress_validation import check
from kingress_conformance.case import CLUSTER_DOMAIN, NAMESPACE, SERVICE_PORT, Case, TestService


@dataclass(frozen=True, slots=True)
class Prepared:
    """An ingress ready to translate."""

    #: Defaulted and validated, without status.
    ingress: ClusterIngress
    #: With the probe paths: what the backend translates.
    probed: ClusterIngress
    #: The hash the probe paths set.
    hash: str


def with_class(ingress: ClusterIngress, ingress_class: str | None) -> ClusterIngress:
    """The ingress with the class annotation set to ``ingress_class`` (removed for ``None``)."""
    annotations = {k: v for k, v in ingress.metadata.annotations.items() if k != INGRESS_CLASS}
    if ingress_class is not None:
        annotations[INGRESS_CLASS] = ingress_class
    metadata = ingress.metadata.model_copy(update={"annotations": annotations})
    return ingress.model_copy(update={"metadata": metadata})


def prepare(ingress: ClusterIngress) -> Prepared:
    """Default, validate (``ValidationError``), clear status, insert the probe paths."""
    checked = check(ingress).model_copy(update={"status": IngressStatus()})
    probed, hash_ = insert_probe(checked)
    return Prepared(ingress=checked, probed=probed, hash=hash_)


#: Where a test Service's server listens: (ip, port); ``None`` for an ExternalName Service.
Address = Callable[[TestService], tuple[str, int] | None]
#: What an ExternalName test Service points at, given its target.
ExternalName = Callable[[TestService], str]


def backend_service(
    service: TestService, address: tuple[str, int] | None, external: str
) -> BackendService:
    """The Service the controller would read for a test Service."""
    port = ServicePort(
        name=service.port_name,
        port=SERVICE_PORT,
        target_port=address[1] if address else SERVICE_PORT,
        app_protocol=service.app_protocol,
    )
    if service.external is not None:
        return BackendService(
            namespace=NAMESPACE,
            name=service.name,
            type="ExternalName",
            external_name=external,
            ports=(port,),
        )
    endpoints = (
        (EndpointAddress(ip=address[0], port=address[1], port_name=service.port_name),)
        if address
        else ()
    )
    return BackendService(
        namespace=NAMESPACE, name=service.name, ports=(port,), endpoints=endpoints
    )


def services_context(
    case: Case,
    address: Address,
    external: ExternalName,
    config: Mapping[str, str] | None = None,
) -> TranslateContext:
    """The context for translating the case's ingresses."""
    services = {
        (NAMESPACE, s.name): backend_service(s, address(s), external(s) if s.external else "")
        for s in case.services
    }
    return TranslateContext(
        config=dict(config or {}), cluster_domain=CLUSTER_DOMAIN, services=services
    )
