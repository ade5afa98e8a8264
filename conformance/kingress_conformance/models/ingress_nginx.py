"""A model of ingress-nginx serving Ingresses and canary Ingresses, from its documentation.

Sources (kubernetes.github.io/ingress-nginx and kubernetes.io):

- Kubernetes Ingress (``concepts/services-networking/ingress``): ``pathType``
  ``Exact`` matches the path exactly, ``Prefix`` element-wise on ``/``
  segments; the longest matching path wins. ``ImplementationSpecific`` is
  ingress-nginx's plain NGINX prefix location (a string prefix).
- How it works / ingress path matching: every Ingress of the controller's
  class for one host is merged into one NGINX server; its locations are
  ordered longest path first. The class is ``spec.ingressClassName`` or the
  ``kubernetes.io/ingress.class`` annotation.
- Annotations (``user-guide/nginx-configuration/annotations``): ``canary:
  "true"`` makes an Ingress the alternative backend of the main Ingress with
  the same host and path (one canary per host and path; a canary without a
  main Ingress is not served); ``canary-by-header`` (``always`` sends to the
  canary, ``never`` never does, with ``canary-by-header-value`` an exact match
  sends to it, anything else falls through), then ``canary-by-cookie``, then
  ``canary-weight`` out of ``canary-weight-total`` (default 100): header
  before cookie before weight. A canary ignores the other annotations and
  inherits the main Ingress's. ``upstream-vhost`` sets the Host sent
  upstream; ``backend-protocol: GRPC`` speaks HTTP/2; ``proxy-next-upstream``
  (default ``error timeout``; an upstream answer is retried only for the
  ``http_<code>`` conditions listed; ``off`` disables) with
  ``proxy-next-upstream-tries`` (default 3); ``proxy-read-timeout`` (default
  60 s, between two reads); ``ssl-redirect`` (default true for hosts with TLS)
  answers plain HTTP with ``http-redirect-code`` (default 308).
- TLS: hosts in ``spec.tls`` get their certificate; every server also
  listens on HTTPS with the default certificate. Websockets pass through
  without configuration. ``ExternalName`` Services are proxied to their DNS
  name.

The install, as the model assumes it (docs/backends/ingress-nginx.md): one
controller for class ``nginx`` behind the public gateway, one for
``nginx-internal`` behind the private one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kingress import BackendService
from kingress_conformance.models.decision import (
    NO_RETRY,
    Decision,
    Forward,
    ModelEnv,
    ModelError,
    Object,
    RetryPolicy,
    not_found,
)
from kingress_conformance.models.headers import Headers, header_value, normalized
from kingress_conformance.models.matching import (
    forward_to,
    in_group,
    seconds,
    segment_prefix,
    strip_port,
)
from kingress_conformance.requests import Gateway, Request

GROUP = "networking.k8s.io"
PREFIX = "nginx.ingress.kubernetes.io/"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
CLASSES = {Gateway.PUBLIC: "nginx", Gateway.PRIVATE: "nginx-internal"}
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_TRIES = 3
DEFAULT_REDIRECT = 308


@dataclass(frozen=True, slots=True)
class _Location:
    """One host and path of one Ingress: the path, its backend and the Ingress."""

    path: str
    path_type: str
    backend: Object
    ingress: Object

    def matches(self, path: str) -> bool:
        """Whether the location serves ``path`` under its ``pathType``."""
        if self.path_type == "Exact":
            return path == self.path
        if self.path_type == "Prefix":
            return segment_prefix(self.path, path)
        return path.startswith(self.path)


class IngressNginxModel:
    """ingress-nginx's public and internal controllers, modelled."""

    name: str = "ingress-nginx"
    sources: tuple[str, ...] = (
        "https://kubernetes.io/docs/concepts/services-networking/ingress/",
        "https://kubernetes.github.io/ingress-nginx/user-guide/ingress-path-matching/",
        "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/",
        "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/",
    )

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """``networking.k8s.io`` Ingresses, with the core Services they may bring along."""
        return any(o.get("kind") == "Ingress" for o in objects) and all(
            in_group(o, GROUP) or (o.get("apiVersion") == "v1" and o.get("kind") == "Service")
            for o in objects
        )

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """The longest matching location of the host's server, then its canary rules."""
        host = strip_port(request.host)
        ingresses = [o for o in objects if o.get("kind") == "Ingress"]
        ingresses = [i for i in ingresses if _class(i) == CLASSES[request.gateway]]
        path = request.path.partition("?")[0]
        mains = [loc for loc in _locations(ingresses, host, canary=False) if loc.matches(path)]
        if not mains:
            return not_found(f"no Ingress location for {host}{request.path}")
        main = max(mains, key=lambda loc: len(loc.path))
        annotations = _annotations(main.ingress)
        if not request.tls and _redirects(main.ingress, host, annotations):
            code = int(annotations.get("http-redirect-code", DEFAULT_REDIRECT))
            return Decision(status=code, location=f"https://{host}{request.path}")
        canary = next(
            (
                loc
                for loc in _locations(ingresses, host, canary=True)
                if (loc.path, loc.path_type) == (main.path, main.path_type)
            ),
            None,
        )
        weights = _canary_share(canary, normalized(request.headers))
        services = {
            (o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
            for o in objects
            if o.get("kind") == "Service"
        }
        forwards = [
            _forward(loc, weight, request, annotations, services, env)
            for loc, weight in ((main, 100 - weights), (canary, weights))
            if loc is not None
        ]
        return Decision(
            status=200,
            forwards=tuple(forwards),
            retry=_retry(annotations),
            idle_timeout=_read_timeout(annotations),
            websocket=True,
        )


def _class(ingress: Object) -> str:
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    return str(
        (ingress.get("spec") or {}).get("ingressClassName") or annotations.get(CLASS_ANNOTATION, "")
    )


def _annotations(ingress: Object) -> dict[str, str]:
    """The ingress-nginx annotations of an Ingress, without their prefix."""
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    return {k.removeprefix(PREFIX): str(v) for k, v in annotations.items() if k.startswith(PREFIX)}


def _is_canary(ingress: Object) -> bool:
    return _annotations(ingress).get("canary") == "true"


def _locations(ingresses: Sequence[Object], host: str, *, canary: bool) -> list[_Location]:
    """Main (or canary) Ingresses' locations for ``host``; a repeated host+path keeps the first."""
    found: dict[tuple[str, str], _Location] = {}
    for ingress in ingresses:
        if _is_canary(ingress) != canary:
            continue
        for rule in ingress["spec"].get("rules") or ():
            if rule.get("host", "") not in (host, ""):
                continue
            for entry in (rule.get("http") or {}).get("paths") or ():
                key = (str(entry.get("path", "/")), str(entry.get("pathType", "Prefix")))
                found.setdefault(key, _Location(key[0], key[1], entry["backend"], ingress))
    return list(found.values())


def _redirects(ingress: Object, host: str, annotations: dict[str, str]) -> bool:
    tls_hosts = {h for entry in ingress["spec"].get("tls") or () for h in entry.get("hosts") or ()}
    return host in tls_hosts and annotations.get("ssl-redirect", "true") == "true"


def _canary_share(canary: _Location | None, headers: Headers) -> int:
    """Percent of this request's traffic the canary gets: header first, then weight."""
    if canary is None:
        return 0
    rules = _annotations(canary.ingress)
    if "canary-by-cookie" in rules:
        raise ModelError("the ingress-nginx model does not read cookies")
    header = rules.get("canary-by-header")
    if header:
        value = header_value(headers, header)
        wanted = rules.get("canary-by-header-value")
        if wanted is not None:
            if value == wanted:
                return 100
        elif value == "always":
            return 100
        elif value == "never":
            return 0
    total = int(rules.get("canary-weight-total", 100))
    return int(rules.get("canary-weight", 0)) * 100 // total


def _forward(
    location: _Location,
    weight: int,
    request: Request,
    annotations: dict[str, str],
    emitted: dict[tuple[str, str], Object],
    env: ModelEnv,
) -> Forward:
    reference = location.backend.get("service") or {}
    namespace = str(location.ingress["metadata"].get("namespace", ""))
    name = str(reference.get("name", ""))
    port_ref = reference.get("port") or {}
    port: int | str = port_ref.get("number") or str(port_ref.get("name", ""))
    service: BackendService | None = env.services.get((namespace, name))
    own = emitted.get((namespace, name))
    if own is not None and own["spec"].get("type") == "ExternalName":
        service = env.service_for_host(str(own["spec"].get("externalName", ""))) or service
    host = annotations.get("upstream-vhost") or request.host
    return forward_to(
        service,
        name,
        port,
        weight=weight,
        headers=normalized(request.headers),
        host=host,
        h2c=annotations.get("backend-protocol", "").upper() == "GRPC",
    )


def _retry(annotations: dict[str, str]) -> RetryPolicy:
    policy = annotations.get("proxy-next-upstream", "error timeout").split()
    statuses = {int(p[5:]) for p in policy if p.startswith("http_") and p[5:].isdigit()}
    tries = int(annotations.get("proxy-next-upstream-tries", DEFAULT_TRIES))
    if "off" in policy or not statuses or tries == 1:
        return NO_RETRY
    return RetryPolicy(attempts=max(tries - 1, 1), statuses=frozenset(statuses))


def _read_timeout(annotations: dict[str, str]) -> float:
    """``proxy-read-timeout``: seconds, bare or with a unit."""
    value = annotations.get("proxy-read-timeout", "").strip()
    if not value:
        return DEFAULT_READ_TIMEOUT
    return seconds(f"{value}s" if value.isdigit() else value)
