"""A model of Knative's two Contour installations serving HTTPProxies, from Contour's docs.

Sources (projectcontour.io ``docs/main/config/``):

- Fundamentals / virtual hosts: an HTTPProxy with ``spec.virtualhost`` is a
  root for exactly one ``fqdn`` (a leading ``*.`` wildcard allowed); an fqdn
  used by several root proxies makes all of them invalid (``DuplicateVhost``),
  so none serves it. The annotation ``projectcontour.io/ingress.class`` wins
  over ``spec.ingressClassName``; a Contour serves only its class.
- Request routing: ``conditions`` ANDed — at most one ``prefix`` (matching the
  path itself or below it: ``/blog`` matches ``/blog`` and ``/blog/*``) or
  ``exact``; ``header`` with ``exact``/``notexact``/``contains``/
  ``notcontains``/``present``/``notpresent``; no path condition means ``/``.
  Routes are sorted by specificity, not list order ("Match Condition
  Precedence"): exact paths, then longer prefixes, then more header
  conditions. ``services[].weight`` is relative; no weight at all splits
  evenly; once some service has a weight, the others get 0.
- Request rewriting: ``requestHeadersPolicy`` ``set`` (overwrite) and
  ``remove``, on the route (before the split) and on a service (after it);
  setting ``Host`` rewrites the Host.
- TLS termination: ``virtualhost.tls`` serves HTTPS for the fqdn; plain HTTP
  to such a host is answered with a 301 to https unless the route sets
  ``permitInsecure``. A host without TLS has no HTTPS listener.
- Timeouts and retries (HTTPProxy API reference): ``timeoutPolicy.response``
  defaults to Envoy's 15 s, ``idle`` to none per route, ``infinity`` disables
  either; without ``retryPolicy`` nothing is retried; ``retryPolicy.count``
  defaults to 1 (``-1`` disables), ``retryOn`` defaults to ``5xx``.
- Websockets are passed only on routes with ``enableWebsockets``; a service's
  ``protocol: h2c`` (or the Service port's appProtocol ``kubernetes.io/h2c``)
  speaks cleartext HTTP/2 upstream.

Knative's install, as the model assumes it (net-contour's defaults): the
public gateway is the Contour of class ``contour-external``, the private one
that of ``contour-internal``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

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
    even_or_relative,
    forward_to,
    host_matches,
    seconds,
    segment_prefix,
    strip_port,
)
from kingress_conformance.requests import Gateway, Request

GROUP = "projectcontour.io"
CLASS_ANNOTATION = "projectcontour.io/ingress.class"
CLASSES = {Gateway.PUBLIC: "contour-external", Gateway.PRIVATE: "contour-internal"}
#: Envoy's route timeout, which Contour keeps when ``timeoutPolicy.response`` is unset.
DEFAULT_RESPONSE_TIMEOUT = 15.0
_H2C_APP_PROTOCOLS = ("kubernetes.io/h2c", "h2c")


class ContourModel:
    """Knative's external and internal Contours, modelled."""

    name: str = "contour"
    sources: tuple[str, ...] = (
        "https://projectcontour.io/docs/main/config/fundamentals/",
        "https://projectcontour.io/docs/main/config/request-routing/",
        "https://projectcontour.io/docs/main/config/request-rewriting/",
        "https://projectcontour.io/docs/main/config/tls-termination/",
        "https://projectcontour.io/docs/main/config/api/",
    )

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """Objects of ``projectcontour.io`` (HTTPProxies, TLS certificate delegations)."""
        return all_in_group(objects, GROUP)

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """The most specific matching route of the one valid root proxy for the Host."""
        host = strip_port(request.host)
        roots = _roots(objects, CLASSES[request.gateway])
        proxy = next((p for p in roots if host_matches(_fqdn(p), host)), None)
        if proxy is None:
            if request.tls:
                return Decision(status=NO_LISTENER, note=f"no TLS virtual host for {host}")
            return not_found(f"no valid HTTPProxy for {host}")
        tls = bool((proxy["spec"].get("virtualhost") or {}).get("tls"))
        if request.tls and not tls:
            return Decision(status=NO_LISTENER, note=f"{_fqdn(proxy)} has no TLS")
        headers = normalized(request.headers)
        for route in _by_specificity(proxy["spec"].get("routes") or ()):
            if _route_matches(route.get("conditions") or (), request.path, headers):
                if tls and not request.tls and not route.get("permitInsecure"):
                    return Decision(status=301, location=f"https://{host}{request.path}")
                namespace = str(proxy["metadata"].get("namespace", ""))
                return _decision(route, namespace, request, headers, env)
        return not_found(f"no route of {_fqdn(proxy)} matches {request.path}")


def _fqdn(proxy: Object) -> str:
    return str((proxy["spec"].get("virtualhost") or {}).get("fqdn", ""))


def _class(proxy: Object) -> str:
    annotations = (proxy.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(CLASS_ANNOTATION) or proxy["spec"].get("ingressClassName") or "")


def _roots(objects: Sequence[Object], ingress_class: str) -> list[Object]:
    """Valid root proxies of the class: those whose fqdn no other root claims."""
    if any(o.get("kind") == "HTTPProxy" and o["spec"].get("includes") for o in objects):
        raise ModelError("the Contour model does not follow includes")
    roots = [
        o
        for o in objects
        if o.get("kind") == "HTTPProxy"
        and (o.get("spec") or {}).get("virtualhost")
        and _class(o) == ingress_class
    ]
    counts = Counter(_fqdn(p) for p in roots)
    valid = [p for p in roots if counts[_fqdn(p)] == 1]
    # An exact fqdn beats a wildcard one.
    return sorted(valid, key=lambda p: _fqdn(p).startswith("*"))


def _path_condition(conditions: Sequence[Object]) -> tuple[str, str]:
    paths = [(k, str(c[k])) for c in conditions for k in ("prefix", "exact", "regex") if k in c]
    if len(paths) > 1:
        raise ModelError(f"more than one path condition: {paths}")
    if paths and paths[0][0] == "regex":
        raise ModelError("the Contour model does not read regex conditions")
    return paths[0] if paths else ("prefix", "/")


def _by_specificity(routes: Sequence[Object]) -> list[Object]:
    """Exact paths first, then longer prefixes, then more header conditions."""

    def key(route: Object) -> tuple[int, int, int]:
        conditions = route.get("conditions") or ()
        kind, path = _path_condition(conditions)
        headers = sum(1 for c in conditions if "header" in c)
        return (0 if kind == "exact" else 1, -len(path.rstrip("/")), -headers)

    return sorted(routes, key=key)


def _route_matches(conditions: Sequence[Object], path: str, headers: Headers) -> bool:
    kind, wanted = _path_condition(conditions)
    plain = path.partition("?")[0]
    if not (plain == wanted if kind == "exact" else segment_prefix(wanted, plain)):
        return False
    return all(_header_matches(c["header"], headers) for c in conditions if "header" in c)


def _header_matches(condition: Object, headers: Headers) -> bool:
    value = header_value(headers, str(condition.get("name", "")))
    if condition.get("present"):
        return value is not None
    if condition.get("notpresent"):
        return value is None
    if "exact" in condition:
        return value == str(condition["exact"])
    if "notexact" in condition:
        return value != str(condition["notexact"])
    if "contains" in condition:
        return value is not None and str(condition["contains"]) in value
    if "notcontains" in condition:
        return value is None or str(condition["notcontains"]) not in value
    raise ModelError(f"the Contour model cannot read header condition {sorted(condition)}")


def _policy(holder: Object) -> HeaderOps:
    policy = holder.get("requestHeadersPolicy") or {}
    return HeaderOps(
        set={str(e["name"]): str(e.get("value", "")) for e in policy.get("set") or ()},
        remove=tuple(policy.get("remove") or ()),
    )


def _decision(
    route: Object, namespace: str, request: Request, headers: Headers, env: ModelEnv
) -> Decision:
    services = list(route.get("services") or ())
    weights = even_or_relative([int(s.get("weight", 0)) for s in services])
    route_ops = _policy(route)
    forwards: list[Forward] = []
    for service, weight in zip(services, weights, strict=True):
        # Per-service (cluster-level) mutations apply first, then the route's.
        seen = route_ops.apply(_policy(service).apply(headers))
        host = header_value(seen, "host") or request.host
        known = env.services.get((namespace, str(service["name"])))
        app = known.port(service.get("port", 0)) if known else None
        h2c = service.get("protocol") in ("h2c", "h2") or (
            app is not None and app.app_protocol in _H2C_APP_PROTOCOLS
        )
        without_host = tuple((k, v) for k, v in seen if k != "host")
        forwards.append(
            forward_to(
                known,
                str(service["name"]),
                int(service.get("port", 0)),
                weight=weight,
                headers=without_host,
                host=host,
                h2c=h2c,
            )
        )
    timeouts = route.get("timeoutPolicy") or {}
    return Decision(
        status=200,
        forwards=tuple(forwards),
        retry=_retry(route.get("retryPolicy")),
        timeout=_timeout(timeouts.get("response"), DEFAULT_RESPONSE_TIMEOUT),
        idle_timeout=_timeout(timeouts.get("idle"), None),
        websocket=bool(route.get("enableWebsockets")),
    )


def _retry(policy: Object | None) -> RetryPolicy:
    if policy is None:
        return NO_RETRY
    count = int(policy.get("count", 0) or 0)
    if count < 0:
        return NO_RETRY
    statuses: set[int] = set()
    for name in policy.get("retryOn") or ["5xx"]:
        if name == "5xx":
            statuses |= ALL_5XX
        elif name == "gateway-error":
            statuses |= GATEWAY_ERRORS
        elif name == "retriable-status-codes":
            statuses |= {int(c) for c in policy.get("retriableStatusCodes") or ()}
    return RetryPolicy(attempts=count or 1, statuses=frozenset(statuses))


def _timeout(value: object, default: float | None) -> float | None:
    if value is None or value in ("", "0s"):
        return default
    if value in ("infinity", "infinite"):
        return None
    return seconds(value)
