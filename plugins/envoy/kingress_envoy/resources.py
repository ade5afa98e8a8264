"""Pure builders: one ClusterIngress to its Envoy v3 fragments (virtual hosts, TLS, clusters).

The fragments use Envoy's own proto-JSON field names (``weighted_clusters``,
``request_headers_to_add``...), so the gateway manager only merges and writes
them. Every list is sorted or follows the ingress's own order, so the same
ingress always yields the same bytes.

Mapping (Kourier's, see docs/backends/envoy.md):

* ExternalIP rule → a virtual host on the public HTTP route configuration (a
  ``https_redirect`` host when ``httpOption: Redirected`` and the ingress has
  TLS), on the private HTTP one (as Kourier serves ExternalIP rules on its
  internal gateway too) and, when the ingress has public TLS, on the public
  HTTPS one.
* ClusterLocal rule → a virtual host with the expanded hosts on the private
  HTTP route configuration (and the private HTTPS one with private TLS).
* path → a route in neutral precedence: prefix, exact header matches,
  ``weighted_clusters`` (0% splits dropped), pre-split headers on the route,
  post-split headers on the cluster weight, ``host_rewrite_literal``, no retry
  policy, ``timeout: 0s`` and ``idle_timeout: 0s``.
* split → a cluster per Service and port, STATIC endpoints from the context,
  HTTP/2 (h2c) when the port asks for it, DNS for ExternalName Services.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kingress import (
    HASH_HEADER,
    HASH_OVERRIDE,
    INGRESS_LABEL,
    BackendService,
    ClusterIngress,
    HTTPIngressPath,
    HTTPOption,
    IngressBackendSplit,
    IngressRule,
    IngressTLS,
    TranslateContext,
    TranslationError,
    Visibility,
    compute_hash,
    expanded_hosts,
    ordered_paths,
)
from kingress_envoy.config import EnvoyConfig
from kingress_envoy.names import (
    API_VERSION,
    KIND,
    ListenerName,
    TLSListener,
    cluster_name,
    config_name,
    label_value,
    secret_ref,
    virtual_host_name,
)

Object = dict[str, Any]

#: RFC 7230 token: what a header name may contain.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
#: Headers Envoy will not let ``request_headers_to_add`` touch.
_FORBIDDEN_SET = frozenset({"host"})

_HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
OVERWRITE = "OVERWRITE_IF_EXISTS_OR_ADD"


def probe_hash(ingress: ClusterIngress) -> str:
    """The ingress's probe hash: read from its probe paths, else computed.

    The core inserts the probe paths (``K-Network-Hash: override`` matched, the
    hash set) before translating; an ingress without them gets
    ``compute_hash``, which is what the core would have inserted.
    """
    for rule in ingress.spec.rules:
        for path in rule.http.paths if rule.http else ():
            match = {name.lower(): value.exact for name, value in path.headers.items()}
            if match.get(HASH_HEADER.lower()) != HASH_OVERRIDE:
                continue
            for name, value in path.append_headers.items():
                if name.lower() == HASH_HEADER.lower():
                    return value
    return compute_hash(ingress)


def headers_to_set(headers: Mapping[str, str], field: str) -> list[Object]:
    """``request_headers_to_add`` entries that set (overwrite) each header, sorted by name."""
    entries = []
    for name in sorted(headers):
        if not _HEADER_NAME.match(name):
            raise TranslationError(f"{field}: {name!r} is not a valid HTTP header name")
        if name.lower() in _FORBIDDEN_SET or name.startswith(":"):
            raise TranslationError(
                f"{field}: {name!r} cannot be set as a header (use rewriteHost for Host)"
            )
        entries.append(
            {"header": {"key": name, "value": headers[name]}, "append_action": OVERWRITE}
        )
    return entries


def header_matchers(path: HTTPIngressPath, field: str) -> list[Object]:
    """Exact-match header matchers (AND), sorted by name."""
    matchers = []
    for name in sorted(path.headers):
        if not _HEADER_NAME.match(name):
            raise TranslationError(f"{field}.headers: {name!r} is not a valid HTTP header name")
        matchers.append({"name": name, "string_match": {"exact": path.headers[name].exact}})
    return matchers


@dataclass(frozen=True, slots=True)
class ClusterRef:
    """Which cluster a split goes to, and that cluster's definition."""

    name: str
    cluster: Object


def _endpoints_for(service: BackendService, port_name: str) -> list[tuple[str, int]]:
    """The (ip, port) pairs behind one Service port, sorted."""
    if len(service.ports) <= 1:
        chosen = service.endpoints
    else:
        chosen = tuple(ep for ep in service.endpoints if ep.port_name == port_name)
    return sorted({(ep.ip, ep.port) for ep in chosen})


def _load_assignment(name: str, addresses: Iterable[tuple[str, int]]) -> Object:
    lb_endpoints = [
        {"endpoint": {"address": {"socket_address": {"address": ip, "port_value": port}}}}
        for ip, port in addresses
    ]
    assignment: Object = {"cluster_name": name}
    if lb_endpoints:
        assignment["endpoints"] = [{"lb_endpoints": lb_endpoints}]
    return assignment


def make_cluster(
    split: IngressBackendSplit, context: TranslateContext, config: EnvoyConfig, field: str
) -> ClusterRef:
    """The cluster a split points at.

    ClusterIP Services get STATIC endpoints (the context's ready addresses for
    that port); ExternalName Services get a DNS cluster to the external name; a
    Service missing from the context gets a cluster with no endpoints (503 until
    the core knows it), treated as plain HTTP/1.
    """
    namespace, service_name = split.service_namespace, split.service_name
    service = context.service(namespace, service_name)
    port = service.port(split.service_port) if service else None
    if port is not None:
        number: int | str = port.port
    elif isinstance(split.service_port, int):
        number = split.service_port
    elif service is not None:
        raise TranslationError(
            f"{field}.servicePort: Service {namespace}/{service_name} has no port named "
            f"{split.service_port!r}"
        )
    else:
        number = split.service_port
    name = cluster_name(namespace, service_name, number)
    cluster: Object = {"name": name, "connect_timeout": config.connect_timeout}
    if service is not None and service.type == "ExternalName":
        if not service.external_name:
            raise TranslationError(
                f"{field}: ExternalName Service {namespace}/{service_name} has no externalName"
            )
        if not isinstance(number, int):
            raise TranslationError(
                f"{field}.servicePort: ExternalName Service {namespace}/{service_name} needs a "
                "numeric port"
            )
        cluster["type"] = config.external_name_dns_type.value
        cluster["dns_lookup_family"] = config.dns_lookup_family.value
        cluster["load_assignment"] = _load_assignment(name, [(service.external_name, number)])
    else:
        addresses = _endpoints_for(service, port.name if port else "") if service else []
        cluster["type"] = "STATIC"
        cluster["load_assignment"] = _load_assignment(name, addresses)
    if port is not None and port.is_h2c:
        cluster["typed_extension_protocol_options"] = {
            _HTTP_PROTOCOL_OPTIONS: {
                "@type": f"type.googleapis.com/{_HTTP_PROTOCOL_OPTIONS}",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        }
    return ClusterRef(name, cluster)


def make_route(
    path: HTTPIngressPath,
    field: str,
    context: TranslateContext,
    config: EnvoyConfig,
    clusters: dict[str, Object],
) -> Object:
    """One Envoy route for a path; adds the clusters it needs to ``clusters``."""
    match: Object = {"prefix": path.path or "/"}
    matchers = header_matchers(path, field)
    if matchers:
        match["headers"] = matchers
    weights = []
    for index, split in enumerate(path.splits):
        split_field = f"{field}.splits[{index}]"
        if split.percent <= 0:
            continue  # a 0% split gets no traffic at all: it is not in the route
        ref = make_cluster(split, context, config, split_field)
        clusters.setdefault(ref.name, ref.cluster)
        weight: Object = {"name": ref.name, "weight": split.percent}
        post_split = headers_to_set(split.append_headers, f"{split_field}.appendHeaders")
        if post_split:
            weight["request_headers_to_add"] = post_split
        weights.append(weight)
    if not weights:
        raise TranslationError(f"{field}.splits: no split has a positive percent")
    action: Object = {
        "weighted_clusters": {"clusters": weights},
        "timeout": "0s",
        "idle_timeout": "0s",
    }
    if path.rewrite_host:
        action["host_rewrite_literal"] = path.rewrite_host
    route: Object = {"name": field, "match": match, "route": action}
    pre_split = headers_to_set(path.append_headers, f"{field}.appendHeaders")
    if pre_split:
        route["request_headers_to_add"] = pre_split
    return route


def make_routes(
    rule: IngressRule,
    rule_field: str,
    context: TranslateContext,
    config: EnvoyConfig,
    clusters: dict[str, Object],
) -> list[Object]:
    """The rule's routes in neutral precedence (most specific first)."""
    if rule.http is None:
        raise TranslationError(f"{rule_field}.http: missing")
    index = {id(path): i for i, path in enumerate(rule.http.paths)}
    return [
        make_route(path, f"{rule_field}.http.paths[{index[id(path)]}]", context, config, clusters)
        for path in ordered_paths(rule)
    ]


REDIRECT_ROUTE: Object = {
    "name": "https-redirect",
    "match": {"prefix": "/"},
    "redirect": {"https_redirect": True},
}


def make_virtual_host(name: str, hosts: Sequence[str], routes: list[Object]) -> Object:
    """A virtual host answering ``host`` and ``host:<any port>`` for each host."""
    domains = [domain for host in hosts for domain in (host, f"{host}:*")]
    return {"name": name, "domains": domains, "routes": routes}


def _tls_side(entry: IngressTLS, public: set[str], private: set[str]) -> list[TLSListener]:
    hosts = set(entry.hosts)
    sides = []
    if not hosts or hosts & public:
        sides.append(TLSListener.PUBLIC)
    if hosts & private:
        sides.append(TLSListener.PRIVATE)
    return sides


def make_tls(ingress: ClusterIngress, public: set[str], private: set[str]) -> list[Object]:
    """SNI filter chain requests: server names and the Secret reference, per HTTPS listener.

    The certificate itself is resolved by the gateway manager when it assembles
    the snapshot. A server name already claimed by an earlier entry of the same
    listener is dropped (first entry wins); an entry left with none is skipped.
    """
    claimed: dict[TLSListener, set[str]] = {side: set() for side in TLSListener}
    chains = []
    for entry in ingress.spec.tls:
        for side in _tls_side(entry, public, private):
            names = sorted(set(entry.hosts) - claimed[side])
            if entry.hosts and not names:
                continue
            if not entry.hosts and "" in claimed[side]:
                continue
            claimed[side].update(names or [""])
            chains.append(
                {
                    "listener": side.value,
                    "serverNames": names,
                    "secretRef": secret_ref(entry.secret_namespace, entry.secret_name),
                }
            )
    return chains


class _HostClaims:
    """First rule wins: a host already used on a route configuration is not repeated."""

    def __init__(self) -> None:
        self._claimed: dict[ListenerName, set[str]] = {name: set() for name in ListenerName}

    def take(self, listener: ListenerName, hosts: Iterable[str]) -> list[str]:
        free = [host for host in sorted(set(hosts)) if host not in self._claimed[listener]]
        self._claimed[listener].update(free)
        return free


def make_ingress_config(
    ingress: ClusterIngress, context: TranslateContext, config: EnvoyConfig
) -> Object:
    """The EnvoyIngressConfig holding every Envoy fragment of one ingress."""
    namespace = ingress.metadata.namespace or "default"
    name = ingress.metadata.name
    spec = ingress.spec
    public_hosts = {
        h for r in spec.rules if r.visibility == Visibility.EXTERNAL_IP for h in r.hosts
    }
    private_hosts = {
        h
        for r in spec.rules
        if r.visibility == Visibility.CLUSTER_LOCAL
        for h in expanded_hosts(r.hosts, context.cluster_domain)
    }
    tls = make_tls(ingress, public_hosts, private_hosts)
    public_tls = any(chain["listener"] == TLSListener.PUBLIC for chain in tls)
    private_tls = any(chain["listener"] == TLSListener.PRIVATE for chain in tls)
    redirect = (
        spec.http_option == HTTPOption.REDIRECTED and bool(spec.tls) and config.http_option_redirect
    )

    vhosts: dict[ListenerName, list[Object]] = {listener: [] for listener in ListenerName}
    claims = _HostClaims()
    clusters: dict[str, Object] = {}

    def add(
        listener: ListenerName, vhost_name: str, hosts: Iterable[str], routes: list[Object]
    ) -> None:
        free = claims.take(listener, hosts)
        if free:
            # Each virtual host owns its routes: no shared sub-objects in the output.
            vhosts[listener].append(make_virtual_host(vhost_name, free, copy.deepcopy(routes)))

    for index, rule in enumerate(spec.rules):
        field = f"spec.rules[{index}]"
        routes = make_routes(rule, field, context, config, clusters)
        vhost_name = virtual_host_name(namespace, name, index)
        if rule.visibility == Visibility.CLUSTER_LOCAL:
            hosts = expanded_hosts(rule.hosts, context.cluster_domain)
            add(ListenerName.PRIVATE_HTTP, vhost_name, hosts, routes)
            if private_tls:
                add(ListenerName.PRIVATE_HTTPS, vhost_name, hosts, routes)
            continue
        add(
            ListenerName.PUBLIC_HTTP,
            vhost_name,
            rule.hosts,
            [REDIRECT_ROUTE] if redirect else routes,
        )
        # Like Kourier, the private (local) gateway also serves ExternalIP rules.
        add(ListenerName.PRIVATE_HTTP, vhost_name, rule.hosts, routes)
        if public_tls:
            add(ListenerName.PUBLIC_HTTPS, vhost_name, rule.hosts, routes)
        if private_tls:
            add(ListenerName.PRIVATE_HTTPS, vhost_name, rule.hosts, routes)

    labels = {INGRESS_LABEL: label_value(name)}
    ingress_ref: Object = {"name": name, "namespace": namespace}
    if ingress.metadata.creation_timestamp:
        ingress_ref["creationTimestamp"] = ingress.metadata.creation_timestamp
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": config_name(name),
            "namespace": namespace,
            "labels": labels,
            "annotations": {},
        },
        "spec": {
            "ingress": ingress_ref,
            "probeHash": probe_hash(ingress),
            "virtualHosts": {listener.value: vhosts[listener] for listener in ListenerName},
            "tls": tls,
            "clusters": [clusters[key] for key in sorted(clusters)],
        },
    }
