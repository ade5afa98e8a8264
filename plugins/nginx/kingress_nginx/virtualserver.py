"""Pure builders of F5 NGINX Ingress Controller ``VirtualServer`` objects (k8s.nginx.org/v1).

One VirtualServer per host (ClusterLocal hosts expanded to their short forms),
so each host maps to exactly one NGINX server block. Its routes are the rule's
locations (see ``kingress_nginx.locations`` for why that keeps the neutral
precedence): a location's header-matched paths become ``matches`` evaluated in
order, its fallback path the route's own ``action`` or ``splits``, and a
location whose chain has no fallback returns 404. A path with one split that
receives traffic proxies to it; several become ``splits`` whose weights are the
percents (0% splits dropped, the rest sum to 100). Request headers are set with
``action.proxy.requestHeaders.set`` on every split's proxy action: pre-split
headers and ``Host`` (for ``rewriteHost``) are repeated on each split, so they
reach the upstream exactly as before the split. Upstreams never retry
(``next-upstream: "off"``) and have long read/send timeouts; h2c ports get
``type: grpc`` (HTTP/2 to the upstream).
"""

from __future__ import annotations

from typing import Any

from kingress import (
    ClusterIngress,
    HTTPOption,
    IngressBackendSplit,
    NotSupported,
    TranslateContext,
    TranslationError,
    Visibility,
)
from kingress_nginx import names
from kingress_nginx.config import NginxConfig
from kingress_nginx.locations import Candidate, HostGroup, Location
from kingress_nginx.objects import make_object
from kingress_nginx.splits import Target, request_headers, target, weighted_splits

API_VERSION = "k8s.nginx.org/v1"
KIND = "VirtualServer"
#: What a location with no matching path answers, like the contract's "no match".
NOT_FOUND_ACTION = {"return": {"code": 404, "type": "text/plain", "body": "Not Found"}}
#: ``tls.redirect`` for ``httpOption: Redirected``: plain HTTP gets a 301 to https.
REDIRECT = {"enable": True, "code": 301, "basedOn": "scheme"}


class _Upstreams:
    """The upstreams one VirtualServer's routes refer to, named deterministically."""

    def __init__(self, context: TranslateContext) -> None:
        self._context = context
        self._targets: dict[str, Target] = {}

    def name_for(self, split: IngressBackendSplit, field: str) -> str:
        found = target(split, field, self._context)
        name = names.upstream(found.service, found.port)
        self._targets[name] = found
        return name

    def render(self, timeout: int) -> list[dict[str, Any]]:
        rendered = []
        for name in sorted(self._targets):
            found = self._targets[name]
            upstream: dict[str, Any] = {
                "name": name,
                "service": found.service,
                "port": found.port,
                "read-timeout": f"{timeout}s",
                "send-timeout": f"{timeout}s",
                "next-upstream": "off",
                "next-upstream-tries": 1,
            }
            if found.h2c:
                upstream["type"] = "grpc"
            rendered.append(upstream)
        return rendered


def _dispatch(candidate: Candidate, upstreams: _Upstreams) -> dict[str, Any]:
    """``action`` (one split with traffic) or ``splits`` (several) for a path."""
    weighted = weighted_splits(candidate.path, candidate.field)
    proxies = []
    for chosen in weighted:
        proxy: dict[str, Any] = {"upstream": upstreams.name_for(chosen.split, chosen.field)}
        headers = request_headers(candidate.path, chosen.split)
        if headers:
            proxy["requestHeaders"] = {
                "set": [{"name": name, "value": value} for name, value in headers]
            }
        proxies.append((chosen.split.percent, {"proxy": proxy}))
    if len(proxies) == 1:
        return {"action": proxies[0][1]}
    total = sum(weight for weight, _ in proxies)
    if total != 100:
        raise TranslationError(
            f"{candidate.field}.splits: percents must total 100 for a VirtualServer, got {total}"
        )
    return {"splits": [{"weight": weight, "action": action} for weight, action in proxies]}


def _conditions(candidate: Candidate) -> list[dict[str, str]]:
    headers = candidate.path.headers
    return [
        {"header": name, "value": headers[name].exact}
        for name in sorted(headers, key=lambda n: (n.lower(), n))
    ]


def make_route(location: Location, upstreams: _Upstreams) -> dict[str, Any]:
    """One VirtualServer route: ordered header matches, then the fallback (or 404)."""
    route: dict[str, Any] = {"path": location.prefix}
    if location.matches:
        route["matches"] = [
            {"conditions": _conditions(c), **_dispatch(c, upstreams)} for c in location.matches
        ]
    if location.fallback is not None:
        route.update(_dispatch(location.fallback, upstreams))
    else:
        route["action"] = {"return": dict(NOT_FOUND_ACTION["return"])}
    return route


def tls_secrets(ingress: ClusterIngress) -> dict[str, str]:
    """Host -> TLS Secret name (first ``spec.tls`` entry listing the host wins)."""
    namespace = ingress.metadata.namespace
    secrets: dict[str, str] = {}
    for t, tls in enumerate(ingress.spec.tls):
        if tls.secret_namespace != namespace:
            raise NotSupported(
                f"spec.tls[{t}].secretNamespace: NGINX can only use a TLS Secret in the "
                f"ingress's namespace {namespace!r}, got {tls.secret_namespace!r}"
            )
        for host in tls.hosts:
            secrets.setdefault(host, tls.secret_name)
    return secrets


def make_virtual_server(
    ingress: ClusterIngress,
    group: HostGroup,
    host: str,
    *,
    config: NginxConfig,
    context: TranslateContext,
    secret: str | None,
) -> dict[str, Any]:
    """The VirtualServer serving ``host`` for one rule."""
    upstreams = _Upstreams(context)
    routes = [make_route(location, upstreams) for location in group.locations]
    spec: dict[str, Any] = {
        "host": host,
        "ingressClassName": config.class_for(group.visibility),
    }
    if secret is not None:
        tls: dict[str, Any] = {"secret": secret}
        redirected = ingress.spec.http_option == HTTPOption.REDIRECTED
        if redirected and group.visibility == Visibility.EXTERNAL_IP:
            tls["redirect"] = dict(REDIRECT)
        spec["tls"] = tls
    spec["upstreams"] = upstreams.render(config.proxy_timeout)
    spec["routes"] = routes
    return make_object(
        ingress,
        api_version=API_VERSION,
        kind=KIND,
        name=names.virtual_server(ingress.metadata.name, host, group.visibility),
        spec=spec,
    )


def make_virtual_servers(
    ingress: ClusterIngress,
    groups: tuple[HostGroup, ...],
    *,
    config: NginxConfig,
    context: TranslateContext,
) -> list[dict[str, Any]]:
    """Every VirtualServer of ``ingress``: one per host of each host group."""
    secrets = tls_secrets(ingress)
    return [
        make_virtual_server(
            ingress, group, host, config=config, context=context, secret=secrets.get(host)
        )
        for group in groups
        for host in group.hosts
    ]
