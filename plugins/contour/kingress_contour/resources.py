"""The whole translation of a ClusterIngress for Contour (pure).

Plans the virtual hosts (``hosts``), builds each rule's routes once
(``routes``), then one root HTTPProxy per virtual host and one
TLSCertificateDelegation per foreign secret namespace (``httpproxy``), and
publishes the Envoy Services of both installations as load balancers.
Objects are ordered: delegations first (so a proxy naming a delegated secret
is valid as soon as it lands), then proxies, each by namespace and name.
"""

from __future__ import annotations

from typing import Any

from kingress import (
    ClusterIngress,
    HTTPOption,
    IngressRule,
    LoadBalancerIngressStatus,
    LoadBalancerStatus,
    TranslateContext,
    Translation,
    TranslationError,
    Visibility,
)
from kingress_contour.config import ContourConfig, Gateway
from kingress_contour.hosts import plan_virtual_hosts, tls_for_host
from kingress_contour.httpproxy import make_httpproxy, make_tls_delegation, secret_reference
from kingress_contour.routes import RouteOptions, make_rule_routes


def permit_insecure(rule: IngressRule, http_option: str) -> bool:
    """Whether plain HTTP is served next to TLS (else Contour answers it with a 301).

    ClusterLocal rules always serve plain HTTP, as in net-contour. ExternalIP
    rules do only with ``httpOption: Enabled``; ``Redirected`` and the unset
    option leave Contour's default, a redirect, which only happens on hosts
    that have TLS.
    """
    return rule.visibility == Visibility.CLUSTER_LOCAL or http_option == HTTPOption.ENABLED


def load_balancer(gateway: Gateway, cluster_domain: str) -> LoadBalancerStatus:
    """An installation's Envoy Service as a load balancer (``domainInternal``)."""
    return LoadBalancerStatus(
        ingress=(LoadBalancerIngressStatus(domain_internal=gateway.service.domain(cluster_domain)),)
    )


def make_translation(
    ingress: ClusterIngress, context: TranslateContext, config: ContourConfig
) -> Translation:
    """Every object Contour needs for the ingress, and the load balancers to publish."""
    namespace = ingress.metadata.namespace
    if not namespace:
        raise TranslationError("missing field(s): metadata.namespace")
    name = ingress.metadata.name
    spec = ingress.spec
    routes = [
        make_rule_routes(
            rule,
            r,
            namespace=namespace,
            options=RouteOptions(
                permit_insecure=permit_insecure(rule, spec.http_option),
                idle_timeout=config.idle_timeout,
            ),
            context=context,
        )
        for r, rule in enumerate(spec.rules)
    ]
    proxies: list[dict[str, Any]] = []
    delegated: dict[str, set[str]] = {}
    for host in plan_virtual_hosts(spec, context.cluster_domain):
        secret_name = None
        tls = tls_for_host(spec.tls, host.fqdn)
        if tls is not None:
            secret_namespace, secret_name = secret_reference(tls, namespace)
            if secret_namespace != namespace:
                delegated.setdefault(secret_namespace, set()).add(tls.secret_name)
        proxies.append(
            make_httpproxy(
                ingress_name=name,
                namespace=namespace,
                host=host,
                gateway=config.gateway(host.visibility),
                routes=routes[host.rule_index],
                secret_name=secret_name,
            )
        )
    delegations = [
        make_tls_delegation(
            ingress_name=name,
            ingress_namespace=namespace,
            secret_namespace=secret_namespace,
            secret_names=secrets,
        )
        for secret_namespace, secrets in sorted(delegated.items())
    ]
    proxies.sort(key=lambda obj: obj["metadata"]["name"])
    return Translation(
        objects=(*delegations, *proxies),
        public_load_balancer=load_balancer(config.external, context.cluster_domain),
        private_load_balancer=load_balancer(config.internal, context.cluster_domain),
    )
