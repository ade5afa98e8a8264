"""``make_cluster_ingress``: the one ClusterIngress a Route is realised as.

Pure: everything it needs (resolved traffic, rollout state, configuration,
visibility, class, HTTP option, the revisions' Service ports) is passed in.

Shape, following Knative's ``MakeIngress``:

- named after the Route, in its namespace; labels = the Route's plus
  ``serving.knative.dev/route`` and ``serving.knative.dev/routeNamespace``;
  annotations = the Route's (minus kubectl's last-applied record and the
  alternative class key) plus the canonical class key, the rollout state and,
  when there are tags, ``networking.internal.knative.dev/tag-to-host``;
- for every traffic group, sorted (the default group ``""`` first): a
  ``ClusterLocal`` rule for ``<host>.<ns>.svc.<cluster-domain>`` and its short
  forms and, unless the group is cluster-local, one ``ExternalIP`` rule per
  external domain;
- each rule has one catch-all path splitting to the Revisions' Kubernetes
  Services (named after the Revisions), 0% targets left out, with the
  post-split headers ``Knative-Serving-Revision`` / ``Knative-Serving-Namespace``;
  during a rollout a ``latestRevision`` target splits into the rolling Revisions;
- with ``tag-header-based-routing`` enabled, the default group's rules get one
  extra path per tag (first) matching ``Knative-Serving-Tag: <tag>``, their base
  path sets ``Knative-Serving-Default-Route: true``, and each tag's rules set
  ``Knative-Serving-Tag: <tag>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from kingress.api.annotations import (
    INGRESS_CLASS,
    INGRESS_CLASS_ALT,
    LAST_APPLIED,
    ROLLOUT_ANNOTATION,
    ROUTE_LABEL,
    ROUTE_NAMESPACE_LABEL,
    TAG_TO_HOST_ANNOTATION,
)
from kingress.api.ingress import (
    ClusterIngress,
    HeaderMatch,
    HTTPIngressPath,
    HTTPIngressRuleValue,
    IngressBackendSplit,
    IngressRule,
    IngressSpec,
    Visibility,
)
from kingress.api.meta import ObjectMeta
from kingress.api.serving import Route
from kingress.config.store import RouteConfig
from kingress.headers import (
    DEFAULT_ROUTE_HEADER,
    NAMESPACE_HEADER,
    REVISION_HEADER,
    TAG_HEADER,
)
from kingress.route.domains import domains_for_visibility
from kingress.route.names import ingress_name
from kingress.route.rollout import Rollout
from kingress.route.traffic import DEFAULT_GROUP, RevisionTarget, TrafficConfig

#: The port splits use when the Revision's Service port is not known.
DEFAULT_SERVICE_PORT = 80
#: Route annotations never copied to the ClusterIngress.
_EXCLUDED_ANNOTATIONS = frozenset({LAST_APPLIED, INGRESS_CLASS_ALT})


def make_cluster_ingress(
    route: Route,
    traffic: TrafficConfig,
    rollout: Rollout,
    *,
    config: RouteConfig,
    visibility: Mapping[str, Visibility],
    ingress_class: str,
    http_option: str,
    service_ports: Mapping[str, int | str] | None = None,
) -> ClusterIngress:
    """The desired ClusterIngress (without owner reference: the applier adds it).

    Raises ``DomainError`` when a template yields an invalid host.
    """
    meta = route.metadata
    namespace = meta.namespace or ""
    ports = service_ports or {}
    header_routing = config.features.tag_header_routing_enabled
    rules: list[IngressRule] = []
    tag_hosts: dict[str, list[str]] = {}
    for group in traffic.group_names:
        visibilities = [Visibility.CLUSTER_LOCAL]
        if visibility.get(group, Visibility.EXTERNAL_IP) is Visibility.EXTERNAL_IP:
            visibilities.append(Visibility.EXTERNAL_IP)
        for vis in visibilities:
            hosts = domains_for_visibility(config, meta, group, vis)
            paths = _paths(group, traffic, rollout, namespace, ports, header_routing)
            if vis is Visibility.CLUSTER_LOCAL:
                rules.append(_rule(hosts, vis, paths))
            else:
                rules.extend(_rule((host,), vis, paths) for host in hosts)
            if group:
                tag_hosts.setdefault(group, []).extend(hosts)
    annotations = {k: v for k, v in meta.annotations.items() if k not in _EXCLUDED_ANNOTATIONS}
    annotations[INGRESS_CLASS] = ingress_class
    annotations[ROLLOUT_ANNOTATION] = rollout.to_json()
    if tag_hosts:
        annotations[TAG_TO_HOST_ANNOTATION] = json.dumps(
            {tag: sorted(hosts) for tag, hosts in tag_hosts.items()},
            separators=(",", ":"),
            sort_keys=True,
        )
    labels = {**meta.labels, ROUTE_LABEL: meta.name, ROUTE_NAMESPACE_LABEL: namespace}
    return ClusterIngress(
        metadata=ObjectMeta(
            name=ingress_name(meta.name),
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        ),
        spec=IngressSpec(rules=tuple(rules), http_option=http_option),
    )


def _rule(
    hosts: tuple[str, ...], visibility: Visibility, paths: tuple[HTTPIngressPath, ...]
) -> IngressRule:
    return IngressRule(hosts=hosts, visibility=visibility, http=HTTPIngressRuleValue(paths=paths))


def _paths(
    group: str,
    traffic: TrafficConfig,
    rollout: Rollout,
    namespace: str,
    ports: Mapping[str, int | str],
    header_routing: bool,
) -> tuple[HTTPIngressPath, ...]:
    base = _base_path(group, traffic.groups[group], rollout, namespace, ports)
    if not header_routing:
        return (base,)
    if group != DEFAULT_GROUP:
        return (base.model_copy(update={"append_headers": {TAG_HEADER: group}}),)
    tag_paths = tuple(
        _base_path(tag, traffic.groups[tag], rollout, namespace, ports).model_copy(
            update={"headers": {TAG_HEADER: HeaderMatch(exact=tag)}}
        )
        for tag in traffic.tags
    )
    default = base.model_copy(update={"append_headers": {DEFAULT_ROUTE_HEADER: "true"}})
    return (*tag_paths, default)


def _base_path(
    group: str,
    targets: tuple[RevisionTarget, ...],
    rollout: Rollout,
    namespace: str,
    ports: Mapping[str, int | str],
) -> HTTPIngressPath:
    splits: list[IngressBackendSplit] = []
    for target in targets:
        if target.percent == 0:
            continue
        rolling = None
        if target.latest_revision:
            rolling = rollout.find(group, target.configuration_name)
        shares = (
            [(r.revision_name, r.percent) for r in rolling.revisions]
            if rolling is not None and not rolling.done
            else [(target.revision_name, target.percent)]
        )
        fallback = ports.get(target.revision_name, DEFAULT_SERVICE_PORT)
        splits.extend(
            _split(namespace, revision, percent, ports.get(revision, fallback))
            for revision, percent in shares
        )
    return HTTPIngressPath(splits=tuple(splits))


def _split(namespace: str, revision: str, percent: int, port: int | str) -> IngressBackendSplit:
    return IngressBackendSplit(
        service_namespace=namespace,
        service_name=revision,
        service_port=port,
        percent=percent,
        append_headers={REVISION_HEADER: revision, NAMESPACE_HEADER: namespace},
    )
