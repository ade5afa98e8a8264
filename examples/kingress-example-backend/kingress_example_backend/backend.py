"""The example backend: each ClusterIngress becomes a ConfigMap holding its routing table.

``translate`` returns one ConfigMap, ``<ingress>-routes`` (shortened with a hash
suffix when the name would exceed Kubernetes' 253 characters), in the ingress's
namespace, with the table under ``data["routes"]``, and publishes the gateways
named in ``config-example`` as load balancers. There is no data plane behind the
table, so the backend claims no conformance feature; a ``rewriteHost`` it cannot
show in the table is refused (``NotSupported``) rather than silently dropped.
``check_ready`` reports the ingress ready once its ConfigMap has been applied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from kingress import (
    ClusterIngress,
    Feature,
    LoadBalancerIngressStatus,
    LoadBalancerStatus,
    NotSupported,
    Readiness,
    TranslateContext,
    Translation,
)
from kingress_example_backend.config import ExampleConfig
from kingress_example_backend.table import routing_table

INGRESS_CLASS = "example.ingress.networking.knative.dev"
SUFFIX = "-routes"
_MAX_NAME = 253


def routes_name(ingress_name: str) -> str:
    """``<ingress>-routes``, shortened with a hash when too long for Kubernetes."""
    name = ingress_name + SUFFIX
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(ingress_name.encode()).hexdigest()[:8]
    stem = ingress_name[: _MAX_NAME - len(SUFFIX) - 9].rstrip("-.")
    return f"{stem}-{digest}{SUFFIX}"


class ExampleBackend:
    """Claims ``example.ingress.networking.knative.dev``; produces a routing-table ConfigMap."""

    name = "example"
    ingress_classes = frozenset({INGRESS_CLASS})
    features: frozenset[Feature] = frozenset()

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The routing-table ConfigMap and the configured gateways."""
        for r, rule in enumerate(ingress.spec.rules):
            for p, path in enumerate(rule.http.paths if rule.http else ()):
                if path.rewrite_host:
                    raise NotSupported(
                        f"spec.rules[{r}].http.paths[{p}].rewriteHost: the example backend "
                        "has no Host rewrite"
                    )
        config = ExampleConfig.parse(context.config, context.cluster_domain)
        config_map: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": routes_name(ingress.metadata.name),
                "namespace": ingress.metadata.namespace,
            },
            "data": {"routes": routing_table(ingress, context)},
        }
        return Translation(
            objects=(config_map,),
            public_load_balancer=_gateway(config.public_gateway),
            private_load_balancer=_gateway(config.private_gateway),
        )

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready once the routing table has been applied."""
        wanted = routes_name(ingress.metadata.name)
        if any(obj.get("metadata", {}).get("name") == wanted for obj in applied):
            return Readiness.serving()
        return Readiness.waiting(message=f"ConfigMap {wanted} has not been applied yet")


def _gateway(host: str) -> LoadBalancerStatus:
    return LoadBalancerStatus(ingress=(LoadBalancerIngressStatus(domain_internal=host),))
