"""A model of an Istio ingress gateway in Knative's stock install, from Istio's documentation.

Sources (istio.io reference and concepts pages):

- VirtualService (``networking/virtual-service``): ``http[]`` is "an ordered
  list of route rules" and the first rule whose ``match`` matches is used;
  ``match[]`` entries are ORed, the conditions inside one entry ANDed;
  ``StringMatch`` ``exact`` / ``prefix``; header keys are lower-case; a match's
  ``gateways`` overrides the VirtualService's; ``route[].weight`` is relative
  ("weight/(sum of all weights)"), a lone destination gets everything, 0 gets
  nothing; ``headers.request.set`` overwrites, ``add`` appends, ``remove``
  removes, at route and at destination level; ``rewrite.authority`` rewrites
  the Host; ``timeout`` is disabled unless set; without ``retries`` Istio
  retries twice on ``connect-failure,refused-stream,unavailable,cancelled,
  retriable-status-codes`` with 503 retriable, ``attempts: 0`` disables retries,
  ``retryOn`` takes Envoy's policies (``5xx``, ``gateway-error``, ...) and
  status codes.
- Gateway (``networking/gateway``): ``selector`` picks gateway pods, servers
  of every Gateway on the same pods and port are merged; a server's ``hosts``
  are ``*``, a wildcard or a name (optionally ``ns/``-prefixed);
  ``tls.httpsRedirect`` answers plain HTTP with a 301; HTTPS servers terminate
  TLS for their hosts.
- Protocol selection (``ops/configuration/traffic-management/protocol-selection``):
  a Service port named ``http2``/``grpc`` (or ``<proto>-suffix``) or with
  appProtocol ``http2``/``grpc`` is spoken to over HTTP/2.
- Websockets are passed through by gateways without configuration.

Knative's install, as the model assumes it: the public gateway is the
``knative-serving/knative-ingress-gateway`` Gateway (port 80, all hosts) and
the private one ``knative-serving/knative-local-gateway`` (port 8081, all
hosts), both on pods labelled ``istio: ingressgateway``; HTTPS is port 443 on
the public pods. VirtualServices for one host on one gateway are merged in the
order given (Istio leaves that order undefined; kingress emits one per ingress).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kingress import BackendService
from kingress_conformance.models.decision import (
    ALL_5XX,
    GATEWAY_ERRORS,
    NO_LISTENER,
    Decision,
    Forward,
    ModelEnv,
    ModelError,
    Object,
    RetryPolicy,
    UpstreamProtocol,
    not_found,
)
from kingress_conformance.models.headers import HeaderOps, Headers, normalized
from kingress_conformance.models.matching import all_in_group, host_matches, seconds
from kingress_conformance.requests import Gateway, Request

GROUP = "networking.istio.io"
PUBLIC_GATEWAY = "knative-serving/knative-ingress-gateway"
PRIVATE_GATEWAY = "knative-serving/knative-local-gateway"
POD_LABELS: Mapping[str, str] = {"istio": "ingressgateway"}
HTTP_PORT, HTTPS_PORT, LOCAL_PORT = 80, 443, 8081

_H2_APP_PROTOCOLS = ("http2", "grpc", "kubernetes.io/h2c")
#: Istio's retry policy when a route sets none.
DEFAULT_RETRY = RetryPolicy(attempts=2, statuses=frozenset({503}))


class IstioModel:
    """Knative's Istio ingress gateways, modelled."""

    name: str = "istio"
    sources: tuple[str, ...] = (
        "https://istio.io/latest/docs/reference/config/networking/virtual-service/",
        "https://istio.io/latest/docs/reference/config/networking/gateway/",
        "https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/",
    )

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """VirtualServices and Gateways of ``networking.istio.io``."""
        return all_in_group(objects, GROUP)

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """First matching route of the VirtualServices bound to the serving gateways."""
        host = request.host
        port = _port(request)
        if port is None:
            return Decision(status=NO_LISTENER, note="no TLS listener on the private gateway")
        servers = _servers(objects, port, host)
        if not servers:
            return Decision(status=NO_LISTENER, note=f"no server on port {port} for {host}")
        if port == HTTP_PORT and _redirects(servers, host):
            return Decision(status=301, location=f"https://{host}{request.path}")
        gateways = {name for name, _ in servers}
        headers = normalized(request.headers)
        for vs in (o for o in objects if o.get("kind") == "VirtualService"):
            spec = vs.get("spec") or {}
            if not any(host_matches(h, host) for h in spec.get("hosts") or ()):
                continue
            bound = _qualified(spec.get("gateways") or ["mesh"], vs)
            for route in spec.get("http") or ():
                if _route_matches(route, request, headers, bound, gateways, vs):
                    return _decision(route, request, headers, env)
        return not_found(f"no VirtualService route for {host}{request.path}")


def _port(request: Request) -> int | None:
    if request.gateway == Gateway.PRIVATE:
        return None if request.tls else LOCAL_PORT
    return HTTPS_PORT if request.tls else HTTP_PORT


def _servers(objects: Sequence[Object], port: int, host: str) -> list[tuple[str, Object]]:
    """(qualified gateway, server) of every server on the pods' ``port`` covering ``host``."""
    stock: list[tuple[str, Object]] = [
        (PUBLIC_GATEWAY, {"port": {"number": HTTP_PORT, "protocol": "HTTP"}, "hosts": ["*"]}),
        (PRIVATE_GATEWAY, {"port": {"number": LOCAL_PORT, "protocol": "HTTP"}, "hosts": ["*"]}),
    ]
    for gw in (o for o in objects if o.get("kind") == "Gateway"):
        spec = gw.get("spec") or {}
        selector = spec.get("selector") or {}
        if all(POD_LABELS.get(k) == v for k, v in selector.items()):
            name = f"{gw['metadata'].get('namespace', '')}/{gw['metadata']['name']}"
            stock += [(name, server) for server in spec.get("servers") or ()]
    return [
        (name, server)
        for name, server in stock
        if (server.get("port") or {}).get("number") == port
        and any(host_matches(h.split("/")[-1], host) for h in server.get("hosts") or ())
    ]


def _redirects(servers: list[tuple[str, Object]], host: str) -> bool:
    """``httpsRedirect`` of the most specific server for the host (exact beats wildcard)."""
    best = max(servers, key=lambda s: max(_specificity(h, host) for h in s[1].get("hosts") or ()))
    return bool((best[1].get("tls") or {}).get("httpsRedirect"))


def _specificity(pattern: str, host: str) -> int:
    pattern = pattern.rsplit("/", maxsplit=1)[-1]
    if not host_matches(pattern, host):
        return -1
    return len(pattern) if not pattern.startswith("*") else len(pattern) - 1


def _qualified(gateways: Sequence[str], vs: Object) -> set[str]:
    namespace = (vs.get("metadata") or {}).get("namespace", "")
    return {g if "/" in g or g == "mesh" else f"{namespace}/{g}" for g in gateways}


def _string_match(rule: Mapping[str, str], value: str | None) -> bool:
    if value is None:
        return False
    if "exact" in rule:
        return value == rule["exact"]
    if "prefix" in rule:
        return value.startswith(rule["prefix"])
    raise ModelError(f"the Istio model knows exact and prefix matches, not {sorted(rule)}")


def _route_matches(
    route: Object,
    request: Request,
    headers: Headers,
    bound: set[str],
    serving: set[str],
    vs: Object,
) -> bool:
    matches = route.get("match") or [{}]
    for match in matches:
        gateways = _qualified(match["gateways"], vs) if "gateways" in match else bound
        if not gateways & serving:
            continue
        if "authority" in match and not _string_match(match["authority"], request.host):
            continue
        if "uri" in match and not _string_match(match["uri"], request.path):
            continue
        values = dict(headers)
        if all(
            _string_match(rule, values.get(name))
            for name, rule in (match.get("headers") or {}).items()
        ):
            return True
    return False


def _ops(headers: Object | None) -> HeaderOps:
    request = (headers or {}).get("request") or {}
    return HeaderOps(
        set=request.get("set") or {},
        add=request.get("add") or {},
        remove=tuple(request.get("remove") or ()),
    )


def _decision(route: Object, request: Request, headers: Headers, env: ModelEnv) -> Decision:
    host = (route.get("rewrite") or {}).get("authority") or request.host
    route_ops = _ops(route.get("headers"))
    destinations = route.get("route") or []
    forwards = []
    for destination in destinations:
        target = destination.get("destination") or {}
        service = env.service_for_host(str(target.get("host", "")))
        port = int((target.get("port") or {}).get("number") or 0)
        weight = destination.get("weight", 100 if len(destinations) == 1 else 0)
        # Envoy applies the most specific level first, so route-level mutations come last.
        seen = route_ops.apply(_ops(destination.get("headers")).apply(headers))
        forwards.append(
            Forward(
                namespace=service.namespace if service else "",
                service=service.name if service else str(target.get("host", "")),
                port=port,
                weight=int(weight),
                headers=seen,
                host=host,
                protocol=UpstreamProtocol.H2C
                if _speaks_h2(service, port)
                else UpstreamProtocol.HTTP1,
            )
        )
    return Decision(
        status=200,
        forwards=tuple(forwards),
        retry=_retry(route.get("retries")),
        timeout=_duration(route.get("timeout")),
        websocket=True,
    )


def _speaks_h2(service: BackendService | None, port: int) -> bool:
    """Istio protocol selection: port name http2 or grpc (a -suffix allowed), or appProtocol."""
    found = service.port(port) if service is not None else None
    if found is None:
        return False
    prefix = found.name.split("-")[0]
    return prefix in ("http2", "grpc") or found.app_protocol in _H2_APP_PROTOCOLS


def _retry(retries: Object | None) -> RetryPolicy:
    if retries is None:
        return DEFAULT_RETRY
    attempts = int(retries.get("attempts", 0) or 0)
    statuses: set[int] = set()
    for entry in str(retries.get("retryOn", "")).split(","):
        policy = entry.strip()
        if policy == "5xx":
            statuses |= ALL_5XX
        elif policy == "gateway-error":
            statuses |= GATEWAY_ERRORS
        elif policy.isdigit():
            statuses.add(int(policy))
    if attempts and not retries.get("retryOn"):
        statuses = set(DEFAULT_RETRY.statuses)
    return RetryPolicy(attempts=attempts, statuses=frozenset(statuses))


def _duration(value: object) -> float | None:
    return None if value is None else seconds(value)
