"""The VirtualServices of one ClusterIngress: ``<name>-ingress`` and ``<name>-mesh``.

``<name>-ingress`` serves every rule through the shared gateways: ExternalIP
rules on the external gateway (plus the per-ingress TLS Gateway when there is
one), ClusterLocal rules on the local gateway. Its ``hosts`` are all rule hosts
(ClusterLocal ones with their short forms) and ``gateways`` every gateway a
route mentions. As in net-istio, ExternalIP rules are not served on the local
gateway; Knative's Route adds a ClusterLocal rule for the in-cluster names of a
public service, which is what the local gateway serves.

``<name>-mesh`` (gateway ``mesh``) carries the ClusterLocal rules again for
sidecars, so a meshed client calling ``x.ns.svc.cluster.local`` is routed by
the same splits without a hop through the local gateway. It exists only when
some ClusterLocal rule has a ``*.svc.<cluster-domain>`` host.

Rules keep their spec order (for a host listed twice the first rule wins);
within a rule paths are most specific first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kingress import ClusterIngress, IngressRule, TranslateContext, Visibility
from kingress_istio import names
from kingress_istio.config import IstioConfig
from kingress_istio.hosts import check_hosts, mesh_hosts, rule_hosts
from kingress_istio.objects import MESH_GATEWAY, Kind, Object, make_object
from kingress_istio.routes import indexed_paths, make_http_route


def gateways_for(
    visibility: Visibility, config: IstioConfig, tls_gateway: str | None
) -> tuple[str, ...]:
    """The qualified gateways a rule of this visibility is served on, sorted."""
    if visibility == Visibility.CLUSTER_LOCAL:
        return (config.local_gateway.qualified,)
    extra = (tls_gateway,) if tls_gateway else ()
    return tuple(sorted((config.external_gateway.qualified, *extra)))


def make_virtual_services(
    ingress: ClusterIngress,
    context: TranslateContext,
    config: IstioConfig,
    tls_gateway: str | None = None,
) -> tuple[Object, ...]:
    """The ingress VirtualService and, when needed, the mesh VirtualService.

    ``tls_gateway`` is the qualified name of the per-ingress TLS Gateway, if
    one is made; ExternalIP routes bind to it too.
    """
    for index, rule in enumerate(ingress.spec.rules):
        check_hosts(rule, f"spec.rules[{index}]")
    objects = [
        _virtual_service(
            ingress,
            names.ingress_virtual_service(ingress.metadata.name),
            context,
            hosts_of=lambda rule: rule_hosts(rule, context.cluster_domain),
            gateways_of=lambda rule: gateways_for(rule.visibility, config, tls_gateway),
        ),
        _virtual_service(
            ingress,
            names.mesh_virtual_service(ingress.metadata.name),
            context,
            hosts_of=lambda rule: mesh_hosts(rule, context.cluster_domain),
            gateways_of=lambda rule: (MESH_GATEWAY,),
        ),
    ]
    return tuple(obj for obj in objects if obj is not None)


def _virtual_service(
    ingress: ClusterIngress,
    name: str,
    context: TranslateContext,
    *,
    hosts_of: Callable[[IngressRule], Sequence[str]],
    gateways_of: Callable[[IngressRule], Sequence[str]],
) -> Object | None:
    all_hosts: set[str] = set()
    all_gateways: set[str] = set()
    http: list[Object] = []
    for rule_index, rule in enumerate(ingress.spec.rules):
        hosts = hosts_of(rule)
        if not hosts or rule.http is None:
            continue
        gateways = gateways_of(rule)
        all_hosts.update(hosts)
        all_gateways.update(gateways)
        for path_index, path in indexed_paths(rule):
            http.append(
                make_http_route(
                    path,
                    where=f"spec.rules[{rule_index}].http.paths[{path_index}]",
                    hosts=hosts,
                    gateways=gateways,
                    context=context,
                )
            )
    if not http:
        return None
    spec: Object = {"hosts": sorted(all_hosts), "gateways": sorted(all_gateways), "http": http}
    return make_object(Kind.VIRTUAL_SERVICE, name, ingress, spec)
