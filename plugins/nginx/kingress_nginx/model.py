"""Documented models of how a request is routed: by the contract, and by each NGINX controller.

``contract_route`` is the neutral decision (first rule with the host, then the
first path in ``ordered_paths`` order whose literal prefix and exact headers
match). ``virtual_server_route`` and ``ingress_nginx_route`` replay what the
two controllers do with the objects this package emits:

* NGINX Ingress Controller: the VirtualServer whose ``host`` is the request's;
  its route with the longest ``path`` that prefixes the URI (NGINX prefix
  locations); that route's ``matches`` in order, every condition comparing the
  header value case-insensitively (NGINX ``map`` string keys) with an absent
  header read as empty; else the route's ``action``/``splits``; ``return`` is
  a 404.
* ingress-nginx: among primary Ingresses for the host, the path that is the
  longest prefix of the URI (``ImplementationSpecific`` is a plain NGINX
  prefix location); then the canary Ingress for the same host and path: its
  header (exact, case-sensitive value) sends everything to the canary, else
  its weight splits the traffic; else the primary alone. Canaries inherit
  ``upstream-vhost`` from the primary.

A decision is the weighted destinations with the headers set on each, or None
for a 404; tests compare the models to prove the translations route as the
contract does. The models ignore URI normalisation (NGINX decodes ``%XX`` and
merges ``//`` before matching) and treat the request path as already normal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kingress import ClusterIngress, Visibility, expanded_hosts, ordered_paths
from kingress_nginx.ingresses import (
    CANARY,
    CANARY_BY_HEADER,
    CANARY_BY_HEADER_VALUE,
    CANARY_WEIGHT,
    UPSTREAM_VHOST,
)
from kingress_nginx.splits import request_headers


@dataclass(frozen=True, slots=True, order=True)
class Hop:
    """One weighted destination and the headers set on requests sent there."""

    service: str
    port: int | str
    weight: int
    headers: tuple[tuple[str, str], ...] = ()


Decision = tuple[Hop, ...] | None


def _port(value: Any) -> int | str:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int | str) else str(value)


def _lower(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name.lower(), value) for name, value in headers))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def contract_route(
    ingress: ClusterIngress,
    *,
    visibility: Visibility,
    host: str,
    path: str,
    headers: Mapping[str, str],
    cluster_domain: str = "cluster.local",
    include_headers: bool = True,
) -> Decision:
    """The contract's decision for a request reaching the gateway of ``visibility``."""
    for rule in ingress.spec.rules:
        if rule.visibility != visibility or rule.http is None:
            continue
        hosts = rule.hosts
        if visibility == Visibility.CLUSTER_LOCAL:
            hosts = expanded_hosts(hosts, cluster_domain)
        if host not in hosts:
            continue
        for candidate in ordered_paths(rule):
            if not path.startswith(candidate.path):
                continue
            if any(_header(headers, n) != m.exact for n, m in candidate.headers.items()):
                continue
            return tuple(
                sorted(
                    Hop(
                        split.service_name,
                        _port(split.service_port),
                        split.percent,
                        _lower(request_headers(candidate, split)) if include_headers else (),
                    )
                    for split in candidate.splits
                    if split.percent > 0
                )
            )
        return None
    return None


def _vs_hops(dispatch: Mapping[str, Any], upstreams: Mapping[str, tuple[str, int]]) -> Decision:
    def hop(action: Mapping[str, Any], weight: int) -> Hop | None:
        proxy = action.get("proxy")
        if proxy is None:
            return None
        service, port = upstreams[proxy["upstream"]]
        sets = proxy.get("requestHeaders", {}).get("set", [])
        return Hop(service, port, weight, _lower((h["name"], h["value"]) for h in sets))

    if "splits" in dispatch:
        hops = [hop(s["action"], s["weight"]) for s in dispatch["splits"]]
        return tuple(sorted(h for h in hops if h is not None))
    single = hop(dispatch["action"], 100)
    return None if single is None else (single,)


def virtual_server_route(
    objects: Sequence[Mapping[str, Any]],
    *,
    ingress_class: str,
    host: str,
    path: str,
    headers: Mapping[str, str],
) -> Decision:
    """What NGINX Ingress Controller (class ``ingress_class``) does with the request."""
    uri = path or "/"
    for obj in objects:
        spec = obj.get("spec", {})
        if obj.get("kind") != "VirtualServer" or spec.get("ingressClassName") != ingress_class:
            continue
        if spec.get("host") != host:
            continue
        upstreams = {u["name"]: (u["service"], u["port"]) for u in spec.get("upstreams", [])}
        routes = [r for r in spec.get("routes", []) if uri.startswith(r["path"])]
        if not routes:
            return None
        route = max(routes, key=lambda r: len(r["path"]))
        for match in route.get("matches", []):
            if all(
                (_header(headers, c["header"]) or "").lower() == c["value"].lower()
                for c in match["conditions"]
            ):
                return _vs_hops(match, upstreams)
        return _vs_hops(route, upstreams)
    return None


def _backend_target(
    backend: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]]
) -> tuple[str, int | str]:
    service = backend["service"]
    port = service["port"].get("number", service["port"].get("name"))
    dedicated = services.get(service["name"])
    if dedicated is not None:
        return dedicated["spec"]["externalName"].split(".", 1)[0], _port(port)
    return service["name"], _port(port)


def _ingress_paths(
    ingresses: Iterable[Mapping[str, Any]], host: str
) -> dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]]:
    found: dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
    for ingress in ingresses:
        for rule in ingress["spec"].get("rules", []):
            if rule.get("host") != host:
                continue
            for entry in rule["http"]["paths"]:
                found.setdefault(entry["path"], (ingress, entry["backend"]))
    return found


def ingress_nginx_route(
    objects: Sequence[Mapping[str, Any]],
    *,
    ingress_class: str,
    host: str,
    path: str,
    headers: Mapping[str, str],
) -> Decision:
    """What ingress-nginx (class ``ingress_class``) does with the request."""
    uri = path or "/"
    services = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Service"}
    ingresses = [
        o
        for o in objects
        if o.get("kind") == "Ingress" and o["spec"].get("ingressClassName") == ingress_class
    ]

    def is_canary(obj: Mapping[str, Any]) -> bool:
        return bool(obj["metadata"].get("annotations", {}).get(CANARY) == "true")

    primaries = _ingress_paths((i for i in ingresses if not is_canary(i)), host)
    canaries = _ingress_paths((i for i in ingresses if is_canary(i)), host)
    matching = [p for p in primaries if uri.startswith(p)]
    if not matching:
        return None
    location = max(matching, key=len)
    primary, backend = primaries[location]
    annotations = primary["metadata"].get("annotations", {})
    vhost = annotations.get(UPSTREAM_VHOST)
    sets = (("host", vhost),) if vhost else ()
    service, port = _backend_target(backend, services)
    if location not in canaries:
        return (Hop(service, port, 100, sets),)
    canary, canary_backend = canaries[location]
    canary_annotations = canary["metadata"].get("annotations", {})
    canary_service, canary_port = _backend_target(canary_backend, services)
    header = canary_annotations.get(CANARY_BY_HEADER)
    if (
        header is not None
        and _header(headers, header) == canary_annotations[CANARY_BY_HEADER_VALUE]
    ):
        return (Hop(canary_service, canary_port, 100, sets),)
    weight = int(canary_annotations.get(CANARY_WEIGHT, "0"))
    hops = [Hop(service, port, 100 - weight, sets), Hop(canary_service, canary_port, weight, sets)]
    return tuple(sorted(h for h in hops if h.weight > 0))


_DNS1035 = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
_HEADER_NAME = re.compile(r"[-A-Za-z0-9]+")
_HEADER_VALUE = re.compile(r'([^"$\\]|\\[^$])*')
_TIME = re.compile(r"\d+(ms|s|m|h|d)?")
_NEXT_UPSTREAM = {
    "error",
    "timeout",
    "invalid_header",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "http_403",
    "http_404",
    "http_429",
    "non_idempotent",
    "off",
}


def _action_problems(action: Mapping[str, Any], where: str, upstreams: set[str]) -> list[str]:
    kinds = [k for k in ("pass", "redirect", "return", "proxy") if k in action]
    if len(kinds) != 1:
        return [f"{where}: exactly one of pass, redirect, return or proxy"]
    problems = []
    if "proxy" in action:
        proxy = action["proxy"]
        if proxy.get("upstream") not in upstreams:
            problems.append(f"{where}.proxy.upstream: {proxy.get('upstream')!r} is not defined")
        for i, header in enumerate(proxy.get("requestHeaders", {}).get("set", [])):
            if not _HEADER_NAME.fullmatch(header.get("name", "")):
                problems.append(f"{where}.proxy.requestHeaders.set[{i}].name: invalid")
            if not _HEADER_VALUE.fullmatch(header.get("value", "")):
                problems.append(f"{where}.proxy.requestHeaders.set[{i}].value: invalid")
    if "return" in action:
        returned = action["return"]
        code = returned.get("code", 200)
        if not returned.get("body") or not (200 <= code <= 299 or 400 <= code <= 599):
            problems.append(f"{where}.return: needs a body and a 2xx, 4xx or 5xx code")
    return problems


def _dispatch_problems(node: Mapping[str, Any], where: str, upstreams: set[str]) -> list[str]:
    has_action, has_splits = "action" in node, "splits" in node
    if has_action == has_splits:
        return [f"{where}: exactly one of action or splits"]
    if has_action:
        return _action_problems(node["action"], f"{where}.action", upstreams)
    splits = node["splits"]
    problems = [] if len(splits) >= 2 else [f"{where}.splits: at least 2 splits"]
    if sum(s.get("weight", 0) for s in splits) != 100:
        problems.append(f"{where}.splits: weights must sum to 100")
    for i, s in enumerate(splits):
        if not 0 <= s.get("weight", 0) <= 100:
            problems.append(f"{where}.splits[{i}].weight: must be 0..100")
        problems += _action_problems(s.get("action", {}), f"{where}.splits[{i}].action", upstreams)
    return problems


def virtual_server_problems(obj: Mapping[str, Any]) -> list[str]:
    """What NGINX Ingress Controller's own validation would reject in a VirtualServer.

    The CRD schema only types fields; the controller checks the rest when it
    processes the object (``pkg/apis/configuration/validation/virtualserver.go``):
    unique DNS-1035 upstream names referenced by the routes, unique route paths,
    exactly one of ``action``/``splits``, at least two splits with weights
    summing to 100, matches with at least one header condition, NGINX-safe
    header names and values, valid timeouts and ``next-upstream`` values.
    """
    spec = obj.get("spec", {})
    problems = []
    names = [u.get("name", "") for u in spec.get("upstreams", [])]
    if len(set(names)) != len(names):
        problems.append("spec.upstreams: duplicate names")
    for i, upstream in enumerate(spec.get("upstreams", [])):
        where = f"spec.upstreams[{i}]"
        if not _DNS1035.fullmatch(upstream.get("name", "")):
            problems.append(f"{where}.name: not an RFC 1035 label")
        if not _DNS1035.fullmatch(upstream.get("service", "")):
            problems.append(f"{where}.service: not an RFC 1035 label")
        if not 1 <= upstream.get("port", 0) <= 65535:
            problems.append(f"{where}.port: out of range")
        if upstream.get("type", "http") not in ("http", "grpc"):
            problems.append(f"{where}.type: must be http or grpc")
        for key in ("read-timeout", "send-timeout", "connect-timeout"):
            if key in upstream and not _TIME.fullmatch(upstream[key]):
                problems.append(f"{where}.{key}: not an NGINX time")
        if not set(upstream.get("next-upstream", "").split()) <= _NEXT_UPSTREAM:
            problems.append(f"{where}.next-upstream: unknown parameter")
    defined = set(names)
    paths = [r.get("path") for r in spec.get("routes", [])]
    if len(set(paths)) != len(paths):
        problems.append("spec.routes: duplicate paths")
    for i, route in enumerate(spec.get("routes", [])):
        where = f"spec.routes[{i}]"
        if not str(route.get("path", "")).startswith("/"):
            problems.append(f"{where}.path: must be a prefix starting with /")
        problems += _dispatch_problems(route, where, defined)
        for j, match in enumerate(route.get("matches", [])):
            at = f"{where}.matches[{j}]"
            conditions = match.get("conditions", [])
            if not conditions:
                problems.append(f"{at}.conditions: at least one condition")
            for k, condition in enumerate(conditions):
                if not _HEADER_NAME.fullmatch(condition.get("header", "")):
                    problems.append(f"{at}.conditions[{k}].header: invalid")
                value = condition.get("value", "")
                if not _HEADER_VALUE.fullmatch(value) or value.endswith("\\"):
                    problems.append(f"{at}.conditions[{k}].value: invalid")
            problems += _dispatch_problems(match, at, defined)
    redirect = spec.get("tls", {}).get("redirect")
    if redirect is not None and (
        redirect.get("code", 301) not in (301, 302, 307, 308)
        or redirect.get("basedOn", "scheme") not in ("scheme", "x-forwarded-proto")
    ):
        problems.append("spec.tls.redirect: invalid code or basedOn")
    return problems
