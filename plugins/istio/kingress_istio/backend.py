"""``IstioBackend``: ClusterIngress → Istio VirtualServices and a TLS Gateway.

Modelled on Knative's net-istio. ``translate`` parses the backend config,
builds the per-ingress TLS Gateway (when ``spec.tls`` needs one) and the
VirtualServices, and publishes the shared gateways' Services as load
balancers: the external gateway's as the public one, the local gateway's as the
private one (``domainInternal``). It is pure: the same ingress and context
always give equal output, objects in a fixed order (Gateway first, then
``-ingress``, then ``-mesh``) and every list inside them sorted or in spec order.

Declared features and why the rest are not claimed are in
``docs/backends/istio.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress import (
    ClusterIngress,
    Feature,
    IngressClass,
    LoadBalancerIngressStatus,
    LoadBalancerStatus,
    Readiness,
    ResourceKind,
    TranslateContext,
    Translation,
)
from kingress_istio import readiness
from kingress_istio.config import IstioConfig
from kingress_istio.gateway import make_tls_gateway, tls_gateway_reference
from kingress_istio.virtualservice import make_virtual_services

#: Everything Istio can honour for a ClusterIngress. Not claimed: ``update``
#: (a switch to a fresh backend Service can 503 while Envoy warms the new
#: cluster; net-istio skips Knative's ``update`` test as flaky).
FEATURES: frozenset[Feature] = frozenset(
    {
        Feature.BASICS,
        Feature.MULTIPLE_HOSTS,
        Feature.HOST_DISPATCH,
        Feature.PATH_DISPATCH,
        Feature.WEIGHTED_SPLIT,
        Feature.MULTI_WAY_SPLIT,
        Feature.HEADER_MATCH,
        Feature.MULTIPLE_HEADER_MATCH,
        Feature.PRE_SPLIT_HEADERS,
        Feature.POST_SPLIT_HEADERS,
        Feature.PROBE,
        Feature.NO_RETRY,
        Feature.NO_TIMEOUT,
        Feature.H2C,
        Feature.GRPC,
        Feature.WEBSOCKET,
        Feature.CLUSTER_LOCAL,
        Feature.TLS,
        Feature.HTTP_OPTION,
        Feature.HOST_REWRITE,
    }
)


def _load_balancer(service: str) -> LoadBalancerStatus:
    return LoadBalancerStatus(ingress=(LoadBalancerIngressStatus(domain_internal=service),))


class IstioBackend:
    """The ``istio`` backend: Istio Gateway + VirtualService, after net-istio."""

    name: str = "istio"
    ingress_classes: frozenset[str] = frozenset({IngressClass.ISTIO.value})
    features: frozenset[Feature] = FEATURES
    resource_kinds: tuple[ResourceKind, ...] = (
        ResourceKind(
            api_version="networking.istio.io/v1", kind="VirtualService", plural="virtualservices"
        ),
        ResourceKind(api_version="networking.istio.io/v1", kind="Gateway", plural="gateways"),
    )

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The Istio objects for ``ingress`` and the gateways' load balancers. Pure."""
        config = IstioConfig.from_data(context.config, context.cluster_domain)
        gateway = make_tls_gateway(ingress, config)
        tls_gateway = tls_gateway_reference(ingress) if gateway is not None else None
        virtual_services = make_virtual_services(ingress, context, config, tls_gateway)
        objects = ((gateway,) if gateway is not None else ()) + virtual_services
        return Translation(
            objects=objects,
            public_load_balancer=_load_balancer(config.external_service),
            private_load_balancer=_load_balancer(config.local_service),
        )

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready once the VirtualServices exist; the core's prober decides for real."""
        return readiness.check_ready(applied)
