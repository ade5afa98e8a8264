"""A model of the gateway an ``EnvoyIngressConfig`` programs, from Envoy's documentation.

The kind (``gateway.kingress.dev/v1alpha1``, docs/backends/envoy.md) carries
Envoy v3 fragments per route configuration (``public_http``, ``public_https``,
``private_http``, ``private_https``), TLS filter-chain requests and clusters.
Sources (envoyproxy.io, API v3 reference and architecture overview):

- ``config/route/v3/route.proto`` VirtualHost ``domains``: search order exact,
  then suffix wildcards (``*.foo.com``, longest first), then prefix wildcards
  (``foo.*`` — so ``host:*`` matches ``host:<port>``), then ``*``; a wildcard
  never matches the empty string; a domain must be unique in a route
  configuration.
- ``intro/arch_overview/http/http_routing``: routes are checked in order and
  the first match wins. RouteMatch ``prefix`` / ``path`` (case-sensitive by
  default); ``headers`` are ANDed; HeaderMatcher ``string_match``
  (``exact``/``prefix``/``suffix``/``contains``), ``present_match``,
  ``invert_match``.
- RouteAction ``cluster`` / ``weighted_clusters`` (weights relative to their
  sum, 0 gets nothing); ``host_rewrite_literal``; ``timeout`` defaults to 15 s,
  ``0s`` disables it; ``idle_timeout`` unset means none at route level;
  ``retry_policy`` (route or virtual host) unset means no retries, ``retry_on``
  ``5xx``/``gateway-error``/``retriable-status-codes``, ``num_retries``
  defaults to 1; an unknown cluster answers 503
  (``cluster_not_found_response_code``). RedirectAction ``https_redirect``
  answers 301 (``response_code`` default). DirectResponseAction answers its
  status.
- ``configuration/http/http_conn_man/headers`` (custom request headers):
  levels apply weighted cluster, route, virtual host, route configuration in
  that order; HeaderValueOption ``append_action``
  (``APPEND_IF_EXISTS_OR_ADD`` default, ``ADD_IF_ABSENT``,
  ``OVERWRITE_IF_EXISTS_OR_ADD``, ``OVERWRITE_IF_EXISTS``) or the legacy
  ``append`` (true appends, false overwrites).
- Cluster ``typed_extension_protocol_options`` →
  ``HttpProtocolOptions.explicit_http_config.http2_protocol_options`` (or the
  legacy ``http2_protocol_options``) speaks HTTP/2 (h2c) upstream.
- TLS: a filter chain is chosen by SNI against its ``server_names`` (none:
  any name); with no chain for the name there is no listener to answer.

What the kind's gateway adds (docs/backends/envoy.md, not in the fragments):
every connection manager passes websocket upgrades (``upgrade_configs``) and
has ``stream_idle_timeout: 0s``; configurations are assembled oldest first and
a config claiming a domain an older one holds on a listener is left out
entirely (``DomainConflict``). Clusters are matched to Services by their
endpoints (STATIC) or DNS name (ExternalName), as Envoy only knows addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kingress import BackendService
from kingress_conformance.models.decision import (
    ALL_5XX,
    GATEWAY_ERRORS,
    NO_LISTENER,
    NO_RETRY,
    Decision,
    Forward,
    ModelEnv,
    ModelError,
    Object,
    RetryPolicy,
    not_found,
)
from kingress_conformance.models.headers import HeaderOps, Headers, header_value, normalized
from kingress_conformance.models.matching import (
    all_in_group,
    forward_to,
    host_matches,
    seconds,
    strip_port,
)
from kingress_conformance.requests import Gateway, Request

GROUP = "gateway.kingress.dev"
KIND = "EnvoyIngressConfig"
#: Envoy's route timeout when a route sets none.
DEFAULT_TIMEOUT = 15.0
_H2_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
_APPEND = "APPEND_IF_EXISTS_OR_ADD"


class EnvoyModel:
    """The Envoy gateway programmed by ``EnvoyIngressConfig`` objects, modelled."""

    name: str = "envoy"
    sources: tuple[str, ...] = (
        "https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto",
        "https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_routing",
        "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers",
        "https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/upstreams/http/v3/http_protocol_options.proto",
    )

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """``EnvoyIngressConfig`` objects of ``gateway.kingress.dev``."""
        return all_in_group(objects, GROUP) and all(o.get("kind") == KIND for o in objects)

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """The first matching route of the virtual host the listener picks for the Host."""
        side = "private" if request.gateway == Gateway.PRIVATE else "public"
        listener = f"{side}_{'https' if request.tls else 'http'}"
        configs = _assembled(objects)
        if request.tls and not _tls_chain(configs, side, strip_port(request.host)):
            return Decision(status=NO_LISTENER, note=f"no {listener} filter chain for the host")
        vhost = _virtual_host(configs, listener, request.host)
        if vhost is None:
            return not_found(f"no virtual host on {listener} for {request.host}")
        headers = normalized(request.headers)
        for route in vhost.get("routes") or ():
            if _route_matches(route.get("match") or {}, request.path, headers):
                return _decision(route, vhost, request, headers, configs, env)
        return not_found(f"no route of {vhost.get('name')} matches {request.path}")


def _assembled(objects: Sequence[Object]) -> list[Object]:
    """The configs the gateway serves: oldest first, a domain conflict leaving the newer out."""

    def age(obj: Object) -> tuple[bool, str, str, str]:
        spec_ref = (obj.get("spec") or {}).get("ingress") or {}
        meta = obj.get("metadata") or {}
        time = spec_ref.get("creationTimestamp") or meta.get("creationTimestamp") or ""
        return (not time, time, meta.get("namespace", ""), meta.get("name", ""))

    served: list[Object] = []
    claimed: set[tuple[str, str]] = set()
    for config in sorted(objects, key=age):
        domains = {
            (listener, domain)
            for listener, vhosts in ((config.get("spec") or {}).get("virtualHosts") or {}).items()
            for vhost in vhosts
            for domain in vhost.get("domains") or ()
        }
        if domains & claimed:
            continue
        claimed |= domains
        served.append(config)
    return served


def _tls_chain(configs: Sequence[Object], side: str, server_name: str) -> bool:
    chains = [c for config in configs for c in (config.get("spec") or {}).get("tls") or ()]
    return any(
        chain.get("listener") == side
        and (
            not chain.get("serverNames")
            or any(host_matches(n, server_name) for n in chain["serverNames"])
        )
        for chain in chains
    )


def _domain_rank(domain: str, host: str) -> tuple[int, int] | None:
    """Envoy's search order as a sortable rank (lower first); ``None`` when it does not match."""
    if not host_matches(domain, host):
        return None
    if domain == "*":
        return (3, 0)
    if domain.startswith("*"):
        return (1, -len(domain))
    if domain.endswith("*"):
        return (2, -len(domain))
    return (0, 0)


def _virtual_host(configs: Sequence[Object], listener: str, host: str) -> Object | None:
    ranked = []
    for config in configs:
        for vhost in ((config.get("spec") or {}).get("virtualHosts") or {}).get(listener) or ():
            ranks = [r for d in vhost.get("domains") or () if (r := _domain_rank(d, host))]
            if ranks:
                ranked.append((min(ranks), vhost))
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def _route_matches(match: Object, path: str, headers: Headers) -> bool:
    if "safe_regex" in match or "path_separated_prefix" in match:
        raise ModelError(f"the Envoy model knows prefix and path matches, not {sorted(match)}")
    if "path" in match and path.partition("?")[0] != match["path"]:
        return False
    if "prefix" in match and not path.startswith(match["prefix"]):
        return False
    return all(_header_matches(m, headers) for m in match.get("headers") or ())


def _header_matches(matcher: Object, headers: Headers) -> bool:
    value = header_value(headers, str(matcher.get("name", "")))
    if "present_match" in matcher:
        result = (value is not None) == bool(matcher["present_match"])
    elif "string_match" in matcher or "exact_match" in matcher:
        rule = matcher.get("string_match") or {"exact": matcher["exact_match"]}
        result = value is not None and _string_matches(rule, value)
    else:
        raise ModelError(f"the Envoy model cannot read header matcher {sorted(matcher)}")
    return result != bool(matcher.get("invert_match", False))


def _string_matches(rule: Object, value: str) -> bool:
    if rule.get("ignore_case"):
        rule = {k: str(v).lower() if k != "ignore_case" else v for k, v in rule.items()}
        value = value.lower()
    if "exact" in rule:
        return value == str(rule["exact"])
    if "prefix" in rule:
        return value.startswith(str(rule["prefix"]))
    if "suffix" in rule:
        return value.endswith(str(rule["suffix"]))
    if "contains" in rule:
        return str(rule["contains"]) in value
    raise ModelError(f"the Envoy model cannot read string match {sorted(rule)}")


def _mutate(headers: Headers, holder: Object) -> Headers:
    """One level's ``request_headers_to_remove`` then ``request_headers_to_add``, in order."""
    result = HeaderOps(remove=tuple(holder.get("request_headers_to_remove") or ())).apply(headers)
    for option in holder.get("request_headers_to_add") or ():
        header = option.get("header") or {}
        name, value = str(header.get("key", "")).lower(), str(header.get("value", ""))
        action = option.get("append_action") or (
            _APPEND if option.get("append", True) else "OVERWRITE_IF_EXISTS_OR_ADD"
        )
        present = header_value(result, name) is not None
        if action == _APPEND or (action == "ADD_IF_ABSENT" and not present):
            result = HeaderOps(add={name: value}).apply(result)
        elif action == "OVERWRITE_IF_EXISTS_OR_ADD" or (
            action == "OVERWRITE_IF_EXISTS" and present
        ):
            result = HeaderOps(set={name: value}).apply(result)
        elif action not in ("ADD_IF_ABSENT", "OVERWRITE_IF_EXISTS"):
            raise ModelError(f"the Envoy model does not know append_action {action!r}")
    return result


def _decision(
    route: Object,
    vhost: Object,
    request: Request,
    headers: Headers,
    configs: Sequence[Object],
    env: ModelEnv,
) -> Decision:
    if "redirect" in route:
        redirect = route["redirect"]
        if not (redirect.get("https_redirect") or redirect.get("scheme_redirect") == "https"):
            raise ModelError(f"the Envoy model knows https redirects, not {sorted(redirect)}")
        code = {"MOVED_PERMANENTLY": 301, "FOUND": 302, "SEE_OTHER": 303}
        status = code.get(str(redirect.get("response_code", "MOVED_PERMANENTLY")), 0)
        if not status:
            raise ModelError(f"the Envoy model cannot read {redirect['response_code']!r}")
        return Decision(status=status, location=f"https://{strip_port(request.host)}{request.path}")
    if "direct_response" in route:
        return Decision(status=int(route["direct_response"].get("status", 0)))
    action = route.get("route")
    if action is None:
        raise ModelError(f"the Envoy model cannot read route {sorted(route)}")
    clusters = {c["name"]: c for config in configs for c in config["spec"].get("clusters") or ()}
    if "cluster" in action:
        targets: list[Object] = [{"name": action["cluster"], "weight": 1}]
    else:
        targets = list((action.get("weighted_clusters") or {}).get("clusters") or ())
    host = action.get("host_rewrite_literal") or request.host
    forwards: list[Forward] = []
    for target in targets:
        cluster = clusters.get(target["name"])
        if cluster is None:
            return Decision(status=503, note=f"cluster {target['name']!r} is not defined")
        seen = headers
        for level in (target, route, vhost):
            seen = _mutate(seen, level)
        forwards.append(_forward(cluster, int(target.get("weight", 0)), seen, host, env))
    return Decision(
        status=200,
        forwards=tuple(forwards),
        retry=_retry(action.get("retry_policy") or vhost.get("retry_policy")),
        timeout=_timeout(action.get("timeout"), DEFAULT_TIMEOUT),
        idle_timeout=_timeout(action.get("idle_timeout"), None),
        websocket=True,
    )


def _addresses(cluster: Object) -> set[tuple[str, int]]:
    assignment = cluster.get("load_assignment") or {}
    return {
        (str(socket.get("address")), int(socket.get("port_value", 0)))
        for group in assignment.get("endpoints") or ()
        for lb in group.get("lb_endpoints") or ()
        if (socket := ((lb.get("endpoint") or {}).get("address") or {}).get("socket_address"))
    }


def _service_of(
    cluster: Object, services: Mapping[tuple[str, str], BackendService]
) -> tuple[BackendService, int] | None:
    """The Service (and its port) whose endpoints, or external name, the cluster targets."""
    addresses = _addresses(cluster)
    found: list[tuple[BackendService, int]] = []
    for service in services.values():
        for port in service.ports:
            if service.type == "ExternalName":
                mine: Iterable[tuple[str, int]] = [(service.external_name, port.port)]
            else:
                mine = [(e.ip, e.port) for e in service.endpoints]
            if addresses and addresses <= set(mine):
                found.append((service, port.port))
    if len(found) > 1:
        names = sorted(f"{s.namespace}/{s.name}" for s, _ in found)
        raise ModelError(f"cluster {cluster.get('name')!r} reaches several Services: {names}")
    return found[0] if found else None


def _forward(cluster: Object, weight: int, headers: Headers, host: str, env: ModelEnv) -> Forward:
    options = (cluster.get("typed_extension_protocol_options") or {}).get(_H2_OPTIONS) or {}
    explicit = options.get("explicit_http_config") or {}
    h2c = "http2_protocol_options" in explicit or "http2_protocol_options" in cluster
    target = _service_of(cluster, env.services)
    service, port = target if target else (None, 0)
    return forward_to(
        service,
        str(cluster.get("name", "")),
        port,
        weight=weight,
        headers=headers,
        host=host,
        h2c=h2c,
    )


def _retry(policy: Object | None) -> RetryPolicy:
    if not policy:
        return NO_RETRY
    statuses: set[int] = set()
    for entry in str(policy.get("retry_on", "")).split(","):
        name = entry.strip()
        if name == "5xx":
            statuses |= ALL_5XX
        elif name == "gateway-error":
            statuses |= GATEWAY_ERRORS
        elif name == "retriable-status-codes":
            statuses |= {int(c) for c in policy.get("retriable_status_codes") or ()}
    return RetryPolicy(attempts=int(policy.get("num_retries", 1)), statuses=frozenset(statuses))


def _timeout(value: object, default: float | None) -> float | None:
    if value is None:
        return default
    parsed = seconds(value)
    return None if parsed == 0 else parsed
