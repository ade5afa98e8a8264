"""A model of F5 NGINX Ingress Controller serving VirtualServers, from its documentation.

Sources (docs.nginx.com ``nginx-ingress-controller/configuration/``):

- VirtualServer and VirtualServerRoute resources: ``spec.host`` names the
  server (exact, or a ``*.`` wildcard); a host taken by an older VirtualServer
  makes a newer one for the same host rejected (the model keeps the first
  given). ``routes[].path`` is an NGINX location: ``=/x`` exact, ``~`` regex
  (not modelled), otherwise a prefix. ``tls.secret`` serves HTTPS for the
  host; ``tls.redirect`` (``enable``, ``code`` default 301, ``basedOn``
  ``scheme``) redirects plain HTTP; without it plain HTTP is served too.
- Route: exactly one of ``action``, ``splits``, ``matches``; ``matches[]`` are
  evaluated in order, the first whose ``conditions`` all hold wins, else the
  route's own ``action``/``splits``; a condition's ``header`` is compared to
  ``value`` (a leading ``!`` negates). ``splits[].weight`` are percentages
  that sum to 100. ``action.pass`` / ``action.proxy.upstream`` name an
  upstream; ``action.proxy.requestHeaders.set`` sets (overwrites) headers,
  ``Host`` included; ``action.return`` answers with its ``code`` and
  ``action.redirect`` with its ``code`` (default 301).
- Upstream: ``service``, ``port``, ``type`` (``grpc`` speaks HTTP/2 to the
  upstream), ``next-upstream`` (default ``error timeout``: a 503 is retried
  only when ``http_503`` is listed; ``off`` disables) with
  ``next-upstream-tries`` (0 = unlimited; an upstream answer is retried only
  for the ``http_<code>`` conditions listed), ``read-timeout`` /
  ``send-timeout`` (default 60 s, between two successive reads or writes).
- NGINX ``location`` (nginx.org ``http/ngx_http_core_module``): an exact
  location wins, else the longest matching prefix, whatever the order
  written. NGINX ``map`` compares strings case-insensitively and reads an
  absent header as empty.
- Websockets pass through VirtualServer upstreams by default (HTTP/1.1 with
  ``Upgrade``/``Connection`` forwarded).

The install, as the model assumes it (docs/backends/nginx.md): one NIC
watching class ``nginx`` behind the public gateway, one watching
``nginx-internal`` behind the private one.
"""

from __future__ import annotations

from collections.abc import Sequence

from kingress_conformance.models.decision import (
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

GROUP = "k8s.nginx.org"
CLASSES = {Gateway.PUBLIC: "nginx", Gateway.PRIVATE: "nginx-internal"}
DEFAULT_READ_TIMEOUT = 60.0
#: Retries NGINX makes when ``next-upstream-tries`` is 0 (unlimited); any positive count will do.
UNLIMITED_TRIES = 100


class NginxVirtualServerModel:
    """NGINX Ingress Controller's VirtualServers, modelled."""

    name: str = "nginx-virtualserver"
    sources: tuple[str, ...] = (
        "https://docs.nginx.com/nginx-ingress-controller/configuration/virtualserver-and-virtualserverroute-resources/",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#location",
        "https://nginx.org/en/docs/http/ngx_http_map_module.html",
    )

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """Objects of ``k8s.nginx.org`` (VirtualServers)."""
        return all_in_group(objects, GROUP)

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """The location NGINX picks by path, then the first match inside it."""
        host = strip_port(request.host)
        server = _server(objects, CLASSES[request.gateway], host)
        if server is None:
            if request.tls:
                return Decision(status=NO_LISTENER, note=f"no TLS server for {host}")
            return not_found(f"no VirtualServer for {host}")
        spec = server["spec"]
        tls = spec.get("tls") or {}
        if request.tls and not tls.get("secret"):
            return Decision(status=NO_LISTENER, note=f"{host} has no TLS")
        redirect = tls.get("redirect") or {}
        if not request.tls and tls.get("secret") and redirect.get("enable"):
            return Decision(
                status=int(redirect.get("code", 301)), location=f"https://{host}{request.path}"
            )
        route = _location(spec.get("routes") or (), request.path.partition("?")[0])
        if route is None:
            return not_found(f"no location of {host} matches {request.path}")
        headers = normalized(request.headers)
        chosen: Object = next(
            (m for m in route.get("matches") or () if _conditions_hold(m, headers)), route
        )
        namespace = str(server["metadata"].get("namespace", ""))
        return _decision(chosen, spec, namespace, request, headers, env)


def _server(objects: Sequence[Object], ingress_class: str, host: str) -> Object | None:
    servers = [
        o
        for o in objects
        if o.get("kind") == "VirtualServer"
        and (o.get("spec") or {}).get("ingressClassName") == ingress_class
    ]
    exact = next((s for s in servers if s["spec"].get("host") == host), None)
    return exact or next(
        (s for s in servers if host_matches(s["spec"].get("host", ""), host)), None
    )


def _location(routes: Sequence[Object], path: str) -> Object | None:
    """NGINX: an exact location (``=``) wins; else the longest prefix location."""
    best: Object | None = None
    for route in routes:
        location = str(route.get("path", ""))
        if location.startswith("~"):
            raise ModelError("the NGINX model does not read regex locations")
        if location.startswith("="):
            if location[1:] == path:
                return route
            continue
        if path.startswith(location) and (
            best is None or len(location) > len(str(best.get("path", "")))
        ):
            best = route
    return best


def _conditions_hold(match: Object, headers: Headers) -> bool:
    for condition in match.get("conditions") or ():
        if "header" not in condition:
            raise ModelError(f"the NGINX model reads header conditions, not {sorted(condition)}")
        actual = (header_value(headers, str(condition["header"])) or "").lower()
        wanted = str(condition.get("value", ""))
        negated = wanted.startswith("!")
        if (actual == wanted.removeprefix("!").lower()) == negated:
            return False
    return True


def _decision(
    chosen: Object,
    spec: Object,
    namespace: str,
    request: Request,
    headers: Headers,
    env: ModelEnv,
) -> Decision:
    if "splits" in chosen:
        branches = [(int(s.get("weight", 0)), s.get("action") or {}) for s in chosen["splits"]]
    else:
        branches = [(100, chosen.get("action") or {})]
    upstreams = {u["name"]: u for u in spec.get("upstreams") or ()}
    forwards: list[Forward] = []
    used: list[Object] = []
    for weight, action in branches:
        if "return" in action:
            return Decision(status=int(action["return"].get("code", 200)), note="return action")
        if "redirect" in action:
            redirect = action["redirect"]
            return Decision(status=int(redirect.get("code", 301)), location=redirect.get("url", ""))
        proxy = action.get("proxy") or {"upstream": action.get("pass")}
        upstream = upstreams.get(str(proxy.get("upstream")))
        if upstream is None:
            return Decision(status=502, note=f"upstream {proxy.get('upstream')!r} is not defined")
        used.append(upstream)
        sets = (proxy.get("requestHeaders") or {}).get("set") or ()
        seen = HeaderOps(set={str(h["name"]): str(h.get("value", "")) for h in sets}).apply(headers)
        service = env.services.get((namespace, str(upstream.get("service"))))
        forwards.append(
            forward_to(
                service,
                str(upstream.get("service")),
                int(upstream.get("port", 0)),
                weight=weight,
                headers=tuple((k, v) for k, v in seen if k != "host"),
                host=header_value(seen, "host") or request.host,
                h2c=upstream.get("type") == "grpc",
            )
        )
    return Decision(
        status=200,
        forwards=tuple(forwards),
        retry=_retry(used),
        idle_timeout=min(_read_timeout(u) for u in used) if used else None,
        websocket=True,
    )


def _retry(upstreams: Sequence[Object]) -> RetryPolicy:
    """The most permissive ``next-upstream`` of the upstreams a request can reach."""
    for upstream in upstreams:
        policy = str(upstream.get("next-upstream", "error timeout")).split()
        statuses = {int(p[5:]) for p in policy if p.startswith("http_") and p[5:].isdigit()}
        tries = int(upstream.get("next-upstream-tries", 0) or 0)
        attempts = tries - 1 if tries else UNLIMITED_TRIES
        if "off" not in policy and statuses and attempts > 0:
            return RetryPolicy(attempts=attempts, statuses=frozenset(statuses))
    return NO_RETRY


def _read_timeout(upstream: Object) -> float:
    value = upstream.get("read-timeout")
    return DEFAULT_READ_TIMEOUT if value in (None, "") else seconds(value)
