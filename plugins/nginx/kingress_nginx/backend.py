"""The two NGINX backends: ``nginx`` (VirtualServer) and ``ingress-nginx`` (Ingress + canary).

Both translate the same way up to the last step: check every user string
(``validation``), plan each rule's NGINX locations so the neutral precedence
holds (``locations``), then build their own objects. ``features`` lists
exactly what each can do; ``docs/backends/nginx.md`` and
``docs/backends/ingress-nginx.md`` say why the others are missing.
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
from kingress_nginx import validation
from kingress_nginx.config import (
    INGRESS_NGINX_DEFAULTS,
    NGINX_DEFAULTS,
    LoadBalancerDefaults,
    NginxConfig,
    parse_config,
)
from kingress_nginx.fields import is_probe_path
from kingress_nginx.ingresses import check_expressible, make_ingress_objects
from kingress_nginx.locations import plan
from kingress_nginx.objects import sort_objects
from kingress_nginx.readiness import ingress_readiness, virtual_server_readiness
from kingress_nginx.virtualserver import make_virtual_servers

#: What a VirtualServer can do. Not: h2c / gRPC (NGINX Ingress Controller only
#: proxies ``type: grpc`` upstreams on TLS VirtualServers with HTTP/2 enabled,
#: and never serves plaintext HTTP/2 to clients), update (VirtualServer status
#: carries no generation, see ``readiness``).
NGINX_FEATURES = frozenset(
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
        Feature.WEBSOCKET,
        Feature.CLUSTER_LOCAL,
        Feature.TLS,
        Feature.HTTP_OPTION,
        Feature.HOST_REWRITE,
    }
)

#: What ingress-nginx can do without snippets: one canary (two-way weights or
#: one exact header) per host and path, Host rewrite, no request headers.
INGRESS_NGINX_FEATURES = frozenset(
    {
        Feature.BASICS,
        Feature.MULTIPLE_HOSTS,
        Feature.HOST_DISPATCH,
        Feature.PATH_DISPATCH,
        Feature.WEIGHTED_SPLIT,
        Feature.HEADER_MATCH,
        Feature.NO_RETRY,
        Feature.NO_TIMEOUT,
        Feature.WEBSOCKET,
        Feature.CLUSTER_LOCAL,
        Feature.TLS,
        Feature.HOST_REWRITE,
    }
)


def _load_balancers(config: NginxConfig) -> dict[str, LoadBalancerStatus]:
    return {
        "public_load_balancer": LoadBalancerStatus(
            ingress=(LoadBalancerIngressStatus(domain_internal=config.public_load_balancer),)
        ),
        "private_load_balancer": LoadBalancerStatus(
            ingress=(LoadBalancerIngressStatus(domain_internal=config.private_load_balancer),)
        ),
    }


def _config(context: TranslateContext, defaults: LoadBalancerDefaults) -> NginxConfig:
    return parse_config(context.config, cluster_domain=context.cluster_domain, defaults=defaults)


class NginxBackend:
    """F5 NGINX Ingress Controller: one ``VirtualServer`` (k8s.nginx.org/v1) per host."""

    name: str = "nginx"
    ingress_classes: frozenset[str] = frozenset({IngressClass.NGINX.value})
    features: frozenset[Feature] = NGINX_FEATURES
    resource_kinds: tuple[ResourceKind, ...] = (
        ResourceKind(api_version="k8s.nginx.org/v1", kind="VirtualServer", plural="virtualservers"),
    )

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """VirtualServers for every host of ``ingress`` (pure)."""
        config = _config(context, NGINX_DEFAULTS)
        validation.validate_ingress(ingress, match_value=validation.virtual_server_match_value)
        groups = plan(ingress, context.cluster_domain)
        objects = make_virtual_servers(ingress, groups, config=config, context=context)
        return Translation(objects=sort_objects(objects), **_load_balancers(config))

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready when every VirtualServer's ``status.state`` is ``Valid``."""
        return virtual_server_readiness(applied)


class IngressNginxBackend:
    """Legacy ingress-nginx: primary and canary ``Ingress`` objects (networking.k8s.io/v1)."""

    name: str = "ingress-nginx"
    ingress_classes: frozenset[str] = frozenset({IngressClass.INGRESS_NGINX.value})
    features: frozenset[Feature] = INGRESS_NGINX_FEATURES

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """Ingresses (and dedicated Services) for ``ingress``, or ``NotSupported`` (pure)."""
        config = _config(context, INGRESS_NGINX_DEFAULTS)
        validation.validate_ingress(ingress, match_value=validation.canary_match_value)
        check_expressible(ingress)
        groups = plan(ingress, context.cluster_domain, keep=lambda p: not is_probe_path(p))
        objects = make_ingress_objects(ingress, groups, config=config, context=context)
        return Translation(objects=sort_objects(objects), **_load_balancers(config))

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready when every Ingress has a load-balancer address."""
        return ingress_readiness(applied)
