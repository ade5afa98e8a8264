"""One ClusterIngress path → one Istio ``HTTPRoute`` (an entry of ``http[]``).

The mapping, field by field:

- ``match[]``: one entry per authority form of the rule's hosts (see
  ``hosts.authority_matches``), each also requiring the path prefix
  (``uri.prefix``; omitted for the catch-all empty path), the exact header
  matches (``headers.<lower-case name>.exact``; Istio requires lower-case
  header keys) and ``gateways`` (where the route applies).
- ``rewrite.authority``: ``rewriteHost``.
- ``headers.request.set``: the path's ``appendHeaders``, set before the split.
- ``route[]``: one destination per split with a positive percent (0% splits
  get no traffic, so they are dropped), ``destination.host`` the Service's
  cluster DNS name, ``port.number`` the Service port, ``weight`` the percent and
  ``headers.request.set`` the split's ``appendHeaders`` (after the split).
- ``retries: {attempts: 0}``: Istio retries twice by default when ``retries``
  is absent; zero attempts turns retries off, so a 503 reaches the client.
- no ``timeout``: Istio's route timeout is disabled unless set, and the CRD
  rejects ``0s`` (it must be at least 1ms), so leaving it out is how "no
  timeout" is said.

Paths are emitted most specific first (``kingress.ordered_paths``) because
Istio picks the first matching entry of ``http[]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kingress import (
    HTTPIngressPath,
    IngressBackendSplit,
    IngressRule,
    TranslateContext,
    TranslationError,
    ordered_paths,
)
from kingress_istio.hosts import authority_matches
from kingress_istio.objects import Object

#: Istio's HTTPRetry with retries switched off.
NO_RETRIES: Mapping[str, int] = {"attempts": 0}

#: Headers that carry the authority; setting them would fight ``rewrite.authority``.
_AUTHORITY_HEADERS = frozenset({"host", ":authority"})


def indexed_paths(rule: IngressRule) -> list[tuple[int, HTTPIngressPath]]:
    """The rule's paths in precedence order, each with its index in the spec."""
    if rule.http is None:
        return []
    positions: dict[int, list[int]] = {}
    for index, path in enumerate(rule.http.paths):
        positions.setdefault(id(path), []).append(index)
    return [(positions[id(path)].pop(0), path) for path in ordered_paths(rule)]


def make_http_route(
    path: HTTPIngressPath,
    *,
    where: str,
    hosts: Sequence[str],
    gateways: Sequence[str],
    context: TranslateContext,
) -> Object:
    """The ``http[]`` entry for one path served under ``hosts`` on ``gateways``."""
    if path.path and not path.path.startswith("/"):
        raise TranslationError(f"{where}.path: {path.path!r} must start with '/'")
    headers = header_matches(path, where)
    route: Object = {
        "match": [
            make_match(authority, path.path, headers, gateways)
            for authority in authority_matches(hosts)
        ]
    }
    if path.rewrite_host:
        _check_no_authority_header(path, where)
        route["rewrite"] = {"authority": path.rewrite_host}
    if path.append_headers:
        route["headers"] = set_headers(path.append_headers)
    route["route"] = make_destinations(path, where, context)
    route["retries"] = dict(NO_RETRIES)
    return route


def make_match(
    authority: Mapping[str, str],
    prefix: str,
    headers: Mapping[str, Object],
    gateways: Sequence[str],
) -> Object:
    """One ``HTTPMatchRequest``: authority AND path prefix AND headers, on ``gateways``."""
    match: Object = {"gateways": sorted(gateways), "authority": dict(authority)}
    if prefix:
        match["uri"] = {"prefix": prefix}
    if headers:
        match["headers"] = {name: dict(value) for name, value in headers.items()}
    return match


def header_matches(path: HTTPIngressPath, where: str) -> dict[str, Object]:
    """Exact header matches keyed by lower-case name, sorted; clashing spellings raise."""
    found: dict[str, tuple[str, str]] = {}
    for name in sorted(path.headers):
        key, exact = name.lower(), path.headers[name].exact
        if key in found and found[key][1] != exact:
            raise TranslationError(
                f"{where}.headers: {found[key][0]!r} and {name!r} are the same header "
                "with different values"
            )
        found.setdefault(key, (name, exact))
    return {key: {"exact": exact} for key, (_, exact) in sorted(found.items())}


def set_headers(headers: Mapping[str, str]) -> Object:
    """Istio ``Headers`` that set (overwrite) each request header."""
    return {"request": {"set": {name: headers[name] for name in sorted(headers)}}}


def make_destinations(path: HTTPIngressPath, where: str, context: TranslateContext) -> list[Object]:
    """Weighted destinations for the splits that get traffic, in spec order."""
    destinations = [
        make_destination(split, f"{where}.splits[{index}]", context)
        for index, split in enumerate(path.splits)
        if split.percent > 0
    ]
    if not destinations:
        raise TranslationError(f"{where}.splits: no split has a positive percent")
    return destinations


def make_destination(split: IngressBackendSplit, where: str, context: TranslateContext) -> Object:
    """One ``HTTPRouteDestination``: the Service, its port, the weight, post-split headers."""
    destination: Object = {
        "destination": {
            "host": f"{split.service_name}.{split.service_namespace}.svc.{context.cluster_domain}",
            "port": {"number": service_port(split, where, context)},
        },
        "weight": split.percent,
    }
    if split.append_headers:
        destination["headers"] = set_headers(split.append_headers)
    return destination


def service_port(split: IngressBackendSplit, where: str, context: TranslateContext) -> int:
    """The port number a split addresses; a named port is looked up on its Service."""
    ref = split.service_port
    if isinstance(ref, str) and ref.isdigit():
        ref = int(ref)
    if isinstance(ref, str):
        service = context.service(split.service_namespace, split.service_name)
        if service is None:
            raise TranslationError(
                f"{where}.servicePort: named port {ref!r} needs Service "
                f"{split.service_namespace}/{split.service_name}, which was not found"
            )
        port = service.port(ref)
        if port is None:
            raise TranslationError(
                f"{where}.servicePort: Service {split.service_namespace}/{split.service_name} "
                f"has no port named {ref!r}"
            )
        ref = port.port
    if not 0 < ref < 65536:
        raise TranslationError(f"{where}.servicePort: {ref} is not a port number")
    return ref


def _check_no_authority_header(path: HTTPIngressPath, where: str) -> None:
    sources = [(where, path.append_headers)] + [
        (f"{where}.splits[{index}]", split.append_headers)
        for index, split in enumerate(path.splits)
    ]
    for field, headers in sources:
        for name in sorted(headers):
            if name.lower() in _AUTHORITY_HEADERS:
                raise TranslationError(
                    f"{field}.appendHeaders: {name!r} cannot be set together with "
                    f"{where}.rewriteHost (Istio rejects two authority rewrites)"
                )
