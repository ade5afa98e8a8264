"""Pure builders of ``networking.k8s.io/v1`` Ingresses for the legacy ingress-nginx controller.

ingress-nginx routes by host and path only; its one extra routing tool is a
*canary* Ingress for the same host and path, which takes requests either by
one exact header (``canary-by-header`` + ``canary-by-header-value``) or by
weight (``canary-weight``), never more than one canary per host and path. So
each location of a rule (see ``kingress_nginx.locations``) becomes:

* a primary Ingress whose backend is the location's fallback path (its only
  split with traffic, or the first of two), and
* when needed, a canary Ingress: the second split with its percent as
  ``canary-weight``, or the single header-matched path of the chain.

ingress-nginx attaches a canary to the primary's *upstream*, which it names
after namespace, Service and port. Every other location that proxies to the
same Service port, for any host, would therefore share the canary, and a
Service that is a primary anywhere is refused as a canary. A location with a
canary therefore points both Ingresses at Services of its own: ExternalName
Services (``<service>.<namespace>.svc.<cluster-domain>``) that exist only for
that location, so nothing else shares their upstreams.

Canaries inherit every other annotation from the primary (``upstream-vhost``,
timeouts, the backend protocol), so both sides of a location must agree on
``rewriteHost`` and on HTTP/1 vs h2c. Everything ingress-nginx cannot express
without snippets is refused up front by ``check_expressible`` with
``NotSupported`` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kingress import (
    ClusterIngress,
    HTTPOption,
    IngressBackendSplit,
    NotSupported,
    TranslateContext,
    Visibility,
)
from kingress_nginx import names
from kingress_nginx.config import NginxConfig
from kingress_nginx.fields import FieldNamer, is_probe_path
from kingress_nginx.locations import Candidate, HostGroup, Location
from kingress_nginx.objects import make_object
from kingress_nginx.splits import Weighted, resolve_port, target, weighted_splits
from kingress_nginx.virtualserver import tls_secrets

API_VERSION = "networking.k8s.io/v1"
KIND = "Ingress"
SERVICE_KIND = "Service"
#: ingress-nginx treats ImplementationSpecific paths as plain NGINX prefix
#: locations: a string prefix, exactly the contract's literal prefix (``Prefix``
#: would match whole path segments only).
PATH_TYPE = "ImplementationSpecific"
MAX_SPLITS = 2

ANNOTATION_PREFIX = "nginx.ingress.kubernetes.io/"
CANARY = ANNOTATION_PREFIX + "canary"
CANARY_WEIGHT = ANNOTATION_PREFIX + "canary-weight"
CANARY_BY_HEADER = ANNOTATION_PREFIX + "canary-by-header"
CANARY_BY_HEADER_VALUE = ANNOTATION_PREFIX + "canary-by-header-value"
UPSTREAM_VHOST = ANNOTATION_PREFIX + "upstream-vhost"
BACKEND_PROTOCOL = ANNOTATION_PREFIX + "backend-protocol"
SSL_REDIRECT = ANNOTATION_PREFIX + "ssl-redirect"
PROXY_NEXT_UPSTREAM = ANNOTATION_PREFIX + "proxy-next-upstream"
PROXY_NEXT_UPSTREAM_TRIES = ANNOTATION_PREFIX + "proxy-next-upstream-tries"
PROXY_READ_TIMEOUT = ANNOTATION_PREFIX + "proxy-read-timeout"
PROXY_SEND_TIMEOUT = ANNOTATION_PREFIX + "proxy-send-timeout"


def check_expressible(ingress: ClusterIngress) -> None:
    """Refuse, naming the field, what ingress-nginx cannot route without snippets.

    Probe copies inserted by the core are skipped: this backend does not serve
    the probe contract (see ``docs/backends/ingress-nginx.md``).
    """
    for i, rule in enumerate(ingress.spec.rules):
        if rule.http is None:
            continue
        namer = FieldNamer.for_rule(i, rule)
        for j, path in enumerate(rule.http.paths):
            if is_probe_path(path):
                continue
            field = namer.path(j)
            if path.append_headers:
                raise NotSupported(
                    f"{field}.appendHeaders: ingress-nginx cannot set request headers "
                    "without snippet annotations, which kingress never emits"
                )
            if len(path.headers) > 1:
                raise NotSupported(
                    f"{field}.headers: ingress-nginx matches at most 1 header per host and "
                    f"path, got {len(path.headers)}"
                )
            for k, split in enumerate(path.splits):
                if split.append_headers:
                    raise NotSupported(
                        f"{field}.splits[{k}].appendHeaders: ingress-nginx cannot set "
                        "headers after the split"
                    )
            count = sum(1 for split in path.splits if split.percent > 0)
            if count > MAX_SPLITS:
                raise NotSupported(
                    f"{field}.splits: ingress-nginx supports at most {MAX_SPLITS} splits, "
                    f"got {count}"
                )


@dataclass(frozen=True, slots=True)
class _Canary:
    chosen: Weighted
    annotations: dict[str, str]


@dataclass(frozen=True, slots=True)
class _LocationPlan:
    location: Location
    primary: Weighted
    rewrite_host: str
    canary: _Canary | None


def _single(candidate: Candidate, why: str) -> Weighted:
    weighted = weighted_splits(candidate.path, candidate.field)
    if len(weighted) != 1:
        raise NotSupported(f"{candidate.field}.splits: {why}")
    return weighted[0]


def _plan_location(location: Location) -> _LocationPlan | None:
    fallback = location.fallback
    if fallback is None:
        if location.matches:
            raise NotSupported(
                f"{location.matches[0].field}: ingress-nginx needs a path without header "
                f"matches for the other requests to {location.prefix!r}"
            )
        return None
    if len(location.matches) > 1:
        raise NotSupported(
            f"{location.matches[1].field}.headers: ingress-nginx supports one header-matched "
            f"path per host and path prefix; {location.matches[0].field} already is the one "
            f"for {location.prefix!r}"
        )
    if location.matches:
        matched = location.matches[0]
        why = "ingress-nginx cannot combine a header match with a weighted split"
        chosen = _single(matched, why)
        primary = _single(fallback, why)
        if matched.path.rewrite_host != fallback.path.rewrite_host:
            raise NotSupported(
                f"{matched.field}.rewriteHost: an ingress-nginx canary inherits the Host "
                f"rewrite of {fallback.field}"
            )
        [(name, match)] = matched.path.headers.items()
        canary = _Canary(chosen, {CANARY_BY_HEADER: name, CANARY_BY_HEADER_VALUE: match.exact})
        return _LocationPlan(location, primary, fallback.path.rewrite_host, canary)
    weighted = weighted_splits(fallback.path, fallback.field)
    if len(weighted) == 1:
        return _LocationPlan(location, weighted[0], fallback.path.rewrite_host, None)
    primary, second = weighted
    canary = _Canary(second, {CANARY_WEIGHT: str(second.split.percent)})
    return _LocationPlan(location, primary, fallback.path.rewrite_host, canary)


def _is_h2c(split: IngressBackendSplit, context: TranslateContext) -> bool:
    _, port = resolve_port(split, context)
    return port is not None and port.is_h2c


def _service_backend(name: str, port: int | str) -> dict[str, Any]:
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    ref: dict[str, Any] = {"number": port} if isinstance(port, int) else {"name": port}
    return {"service": {"name": name, "port": ref}}


def _rules(hosts: tuple[str, ...], prefix: str, backend: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "host": host,
            "http": {"paths": [{"path": prefix, "pathType": PATH_TYPE, "backend": backend}]},
        }
        for host in hosts
    ]


class _Builder:
    """Builds one ClusterIngress's Ingresses and dedicated Services."""

    def __init__(
        self, ingress: ClusterIngress, config: NginxConfig, context: TranslateContext
    ) -> None:
        self.ingress = ingress
        self.config = config
        self.context = context
        self.secrets = tls_secrets(ingress)
        self.objects: list[dict[str, Any]] = []

    def _dedicated_service(self, name: str, chosen: Weighted) -> dict[str, Any]:
        found = target(chosen.split, chosen.field, self.context)
        port: dict[str, Any] = {
            "name": "http2" if found.h2c else "http",
            "port": found.port,
            "protocol": "TCP",
        }
        if found.h2c:
            port["appProtocol"] = "kubernetes.io/h2c"
        namespace = self.ingress.metadata.namespace
        spec = {
            "type": "ExternalName",
            "externalName": f"{found.service}.{namespace}.svc.{self.context.cluster_domain}",
            "ports": [port],
        }
        self.objects.append(
            make_object(self.ingress, api_version="v1", kind=SERVICE_KIND, name=name, spec=spec)
        )
        return _service_backend(name, found.port)

    def _tls(self, hosts: tuple[str, ...]) -> list[dict[str, Any]]:
        by_secret: dict[str, list[str]] = {}
        for host in hosts:
            secret = self.secrets.get(host)
            if secret is not None:
                by_secret.setdefault(secret, []).append(host)
        return [
            {"hosts": sorted(covered), "secretName": secret}
            for secret, covered in sorted(by_secret.items())
        ]

    def _primary_annotations(
        self, group: HostGroup, plan: _LocationPlan, tls: list[dict[str, Any]]
    ) -> dict[str, str]:
        timeout = str(self.config.proxy_timeout)
        annotations = {
            PROXY_NEXT_UPSTREAM: "off",
            PROXY_NEXT_UPSTREAM_TRIES: "1",
            PROXY_READ_TIMEOUT: timeout,
            PROXY_SEND_TIMEOUT: timeout,
        }
        if plan.rewrite_host:
            annotations[UPSTREAM_VHOST] = plan.rewrite_host
        primary_h2c = _is_h2c(plan.primary.split, self.context)
        if plan.canary is not None and _is_h2c(plan.canary.chosen.split, self.context) != (
            primary_h2c
        ):
            raise NotSupported(
                f"{plan.canary.chosen.field}.servicePort: an ingress-nginx canary inherits "
                f"the backend protocol of {plan.primary.field}, and only one of them is h2c"
            )
        if primary_h2c:
            annotations[BACKEND_PROTOCOL] = "GRPC"
        if tls:
            redirected = (
                self.ingress.spec.http_option == HTTPOption.REDIRECTED
                and group.visibility == Visibility.EXTERNAL_IP
            )
            annotations[SSL_REDIRECT] = "true" if redirected else "false"
        return annotations

    def add_location(self, group: HostGroup, plan: _LocationPlan) -> None:
        name = self.ingress.metadata.name
        key = names.route_key(group.visibility, group.hosts, plan.location.prefix)
        ingress_class = self.config.class_for(group.visibility)
        prefix = plan.location.prefix
        if plan.canary is None:
            split = plan.primary.split
            primary_backend = _service_backend(split.service_name, split.service_port)
        else:
            primary_backend = self._dedicated_service(
                names.route_service(name, key, "primary"), plan.primary
            )
            canary_backend = self._dedicated_service(
                names.route_service(name, key, "alternative"), plan.canary.chosen
            )
            self.objects.append(
                make_object(
                    self.ingress,
                    api_version=API_VERSION,
                    kind=KIND,
                    name=names.canary_ingress(name, key),
                    spec={
                        "ingressClassName": ingress_class,
                        "rules": _rules(group.hosts, prefix, canary_backend),
                    },
                    annotations={CANARY: "true", **plan.canary.annotations},
                )
            )
        tls = self._tls(group.hosts)
        spec: dict[str, Any] = {
            "ingressClassName": ingress_class,
            "rules": _rules(group.hosts, prefix, primary_backend),
        }
        if tls:
            spec["tls"] = tls
        self.objects.append(
            make_object(
                self.ingress,
                api_version=API_VERSION,
                kind=KIND,
                name=names.primary_ingress(name, key),
                spec=spec,
                annotations=self._primary_annotations(group, plan, tls),
            )
        )


def make_ingress_objects(
    ingress: ClusterIngress,
    groups: tuple[HostGroup, ...],
    *,
    config: NginxConfig,
    context: TranslateContext,
) -> list[dict[str, Any]]:
    """Every Ingress (primary and canary) and dedicated Service of ``ingress``."""
    builder = _Builder(ingress, config, context)
    for group in groups:
        for location in group.locations:
            plan = _plan_location(location)
            if plan is not None:
                builder.add_location(group, plan)
    return builder.objects
