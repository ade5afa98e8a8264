"""The targets' documented rules, one per row, as each model decides them on hand-made objects.

These pin the rules the conformance cases do not reach (wildcards, ordering
that differs from list order, defaults), so a model cannot drift into
agreeing with a translator by accident.
"""

from __future__ import annotations

from typing import Any

import pytest

from kingress import BackendService, EndpointAddress, ServicePort
from kingress_conformance.models import Decision, ModelEnv
from kingress_conformance.models.contour import ContourModel
from kingress_conformance.models.envoy import EnvoyModel
from kingress_conformance.models.ingress_nginx import IngressNginxModel
from kingress_conformance.models.nginx import NginxVirtualServerModel
from kingress_conformance.requests import Request, request

Object = dict[str, Any]
NS = "ns"
ENV = ModelEnv(
    services={
        (NS, name): BackendService(
            namespace=NS,
            name=name,
            ports=(ServicePort(name="http", port=80),),
            endpoints=(EndpointAddress(ip=f"10.0.0.{i}", port=8080),),
        )
        for i, name in enumerate(("a", "b", "c"), start=1)
    }
)


def _upstreams(decision: Decision) -> dict[str, float]:
    return decision.shares() if decision.status == 200 else {f"status {decision.status}": 100}


# -- Envoy -------------------------------------------------------------------------------------


def _cluster(name: str) -> Object:
    ip = {"a": "10.0.0.1", "b": "10.0.0.2", "c": "10.0.0.3"}[name]
    socket = {"socket_address": {"address": ip, "port_value": 8080}}
    return {
        "name": name,
        "type": "STATIC",
        "load_assignment": {"endpoints": [{"lb_endpoints": [{"endpoint": {"address": socket}}]}]},
    }


def _vhost(domains: list[str], routes: list[Object]) -> Object:
    return {"name": domains[0], "domains": domains, "routes": routes}


def _to(cluster: str, prefix: str = "/", **extra: Any) -> Object:
    return {"match": {"prefix": prefix}, "route": {"cluster": cluster, **extra}}


def _envoy(vhosts: list[Object], tls: list[Object] | None = None) -> list[Object]:
    spec = {
        "virtualHosts": {"public_http": vhosts, "public_https": vhosts},
        "tls": tls or [],
        "clusters": [_cluster(n) for n in "abc"],
    }
    return [
        {"apiVersion": "gateway.kingress.dev/v1alpha1", "kind": "EnvoyIngressConfig", "spec": spec}
    ]


ENVOY_ROWS = [
    pytest.param(
        [_vhost(["*.example.com"], [_to("a")]), _vhost(["x.example.com"], [_to("b")])],
        request("x.example.com"),
        {"b": 100},
        id="exact-domain-beats-suffix-wildcard",
    ),
    pytest.param(
        [_vhost(["*"], [_to("a")]), _vhost(["x.example.com:*"], [_to("b")])],
        request("x.example.com:8080"),
        {"b": 100},
        id="prefix-wildcard-host-port-beats-star",
    ),
    pytest.param(
        [_vhost(["x.example.com"], [_to("a", "/"), _to("b", "/foo")])],
        request("x.example.com", "/foo"),
        {"a": 100},
        id="first-match-not-longest",
    ),
    pytest.param(
        [_vhost(["x.example.com"], [_to("a")])],
        request("y.example.com"),
        {"status 404": 100},
        id="no-virtual-host-404",
    ),
    pytest.param(
        [_vhost(["x.example.com"], [_to("nope")])],
        request("x.example.com"),
        {"status 503": 100},
        id="unknown-cluster-503",
    ),
    pytest.param(
        [_vhost(["x.example.com"], [_to("a")])],
        request("x.example.com", tls=True),
        {"status 0": 100},
        id="no-tls-chain-no-listener",
    ),
]


@pytest.mark.parametrize(("vhosts", "req", "expected"), ENVOY_ROWS)
def test_envoy_routing(vhosts: list[Object], req: Request, expected: dict[str, float]) -> None:
    assert _upstreams(EnvoyModel().decide(_envoy(vhosts), req, ENV)) == expected


@pytest.mark.parametrize(
    ("action", "seen"),
    [
        pytest.param("APPEND_IF_EXISTS_OR_ADD", "client, set", id="append"),
        pytest.param("OVERWRITE_IF_EXISTS_OR_ADD", "set", id="overwrite"),
        pytest.param("ADD_IF_ABSENT", "client", id="add-if-absent"),
    ],
)
def test_envoy_append_action(action: str, seen: str) -> None:
    route = _to("a")
    route["request_headers_to_add"] = [
        {"header": {"key": "X-H", "value": "set"}, "append_action": action}
    ]
    objects = _envoy([_vhost(["x.example.com"], [route])])
    decision = EnvoyModel().decide(
        objects, request("x.example.com", headers={"X-H": "client"}), ENV
    )
    assert decision.forwards[0].header("x-h") == seen


def test_envoy_route_timeout_defaults_to_15s_and_0s_disables() -> None:
    model, req = EnvoyModel(), request("x.example.com")
    assert model.decide(_envoy([_vhost(["x.example.com"], [_to("a")])]), req, ENV).timeout == 15
    disabled = _envoy([_vhost(["x.example.com"], [_to("a", timeout="0s")])])
    assert model.decide(disabled, req, ENV).timeout is None


# -- Contour -----------------------------------------------------------------------------------


def _proxy(
    fqdn: str, routes: list[Object], *, tls: bool = False, cls: str = "contour-external"
) -> Object:
    virtualhost: Object = {"fqdn": fqdn}
    if tls:
        virtualhost["tls"] = {"secretName": "cert"}
    return {
        "apiVersion": "projectcontour.io/v1",
        "kind": "HTTPProxy",
        "metadata": {"name": fqdn, "namespace": NS},
        "spec": {"ingressClassName": cls, "virtualhost": virtualhost, "routes": routes},
    }


def _route(prefix: str, *services: tuple[str, int], **extra: Any) -> Object:
    return {
        "conditions": [{"prefix": prefix}],
        "services": [{"name": n, "port": 80, "weight": w} for n, w in services],
        **extra,
    }


CONTOUR_ROWS = [
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0)), _route("/foo", ("b", 0))])],
        request("x.example.com", "/foo/x"),
        {"b": 100},
        id="longest-prefix-whatever-the-order",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0)), _route("/foo", ("b", 0))])],
        request("x.example.com", "/foobar"),
        {"a": 100},
        id="prefix-matches-whole-segments",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0), ("b", 0))])],
        request("x.example.com"),
        {"a": 50, "b": 50},
        id="all-zero-weights-split-evenly",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 3), ("b", 1))])],
        request("x.example.com"),
        {"a": 75, "b": 25},
        id="weights-are-relative",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0))], tls=True)],
        request("x.example.com"),
        {"status 301": 100},
        id="tls-without-permit-insecure-redirects",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0), permitInsecure=True)], tls=True)],
        request("x.example.com"),
        {"a": 100},
        id="permit-insecure-serves-http",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0))])] * 2,
        request("x.example.com"),
        {"status 404": 100},
        id="duplicate-fqdn-serves-neither",
    ),
    pytest.param(
        [_proxy("x.example.com", [_route("/", ("a", 0))], cls="contour-internal")],
        request("x.example.com"),
        {"status 404": 100},
        id="internal-class-not-public",
    ),
]


@pytest.mark.parametrize(("objects", "req", "expected"), CONTOUR_ROWS)
def test_contour_routing(objects: list[Object], req: Request, expected: dict[str, float]) -> None:
    assert _upstreams(ContourModel().decide(objects, req, ENV)) == expected


def test_contour_defaults_no_retry_15s_timeout_no_websocket() -> None:
    decision = ContourModel().decide(
        [_proxy("x.example.com", [_route("/", ("a", 0))])], request("x.example.com"), ENV
    )
    assert (decision.retry.attempts, decision.timeout, decision.websocket) == (0, 15, False)


# -- NGINX VirtualServer -----------------------------------------------------------------------


def _virtual_server(routes: list[Object], tls: Object | None = None) -> list[Object]:
    spec: Object = {
        "host": "x.example.com",
        "ingressClassName": "nginx",
        "upstreams": [{"name": n, "service": n, "port": 80} for n in "abc"],
        "routes": routes,
    }
    if tls:
        spec["tls"] = tls
    return [
        {
            "apiVersion": "k8s.nginx.org/v1",
            "kind": "VirtualServer",
            "metadata": {"namespace": NS},
            "spec": spec,
        }
    ]


NGINX_ROWS = [
    pytest.param(
        _virtual_server(
            [{"path": "/foo", "action": {"pass": "b"}}, {"path": "/", "action": {"pass": "a"}}]
        ),
        request("x.example.com", "/foobar"),
        {"b": 100},
        id="longest-string-prefix-location",
    ),
    pytest.param(
        _virtual_server(
            [
                {
                    "path": "/",
                    "matches": [
                        {
                            "conditions": [{"header": "X-V", "value": "!one"}],
                            "action": {"pass": "b"},
                        }
                    ],
                    "action": {"pass": "a"},
                }
            ]
        ),
        request("x.example.com", headers={"X-V": "ONE"}),
        {"a": 100},
        id="negated-condition-case-insensitive",
    ),
    pytest.param(
        _virtual_server(
            [
                {
                    "path": "/",
                    "splits": [
                        {"weight": 90, "action": {"pass": "a"}},
                        {"weight": 10, "action": {"pass": "b"}},
                    ],
                }
            ]
        ),
        request("x.example.com"),
        {"a": 90, "b": 10},
        id="splits",
    ),
    pytest.param(
        _virtual_server(
            [{"path": "/", "action": {"pass": "a"}}], {"secret": "s", "redirect": {"enable": True}}
        ),
        request("x.example.com"),
        {"status 301": 100},
        id="tls-redirect",
    ),
]


@pytest.mark.parametrize(("objects", "req", "expected"), NGINX_ROWS)
def test_nginx_routing(objects: list[Object], req: Request, expected: dict[str, float]) -> None:
    assert _upstreams(NginxVirtualServerModel().decide(objects, req, ENV)) == expected


def test_nginx_default_next_upstream_does_not_retry_503() -> None:
    objects = _virtual_server([{"path": "/", "action": {"pass": "a"}}])
    decision = NginxVirtualServerModel().decide(objects, request("x.example.com"), ENV)
    assert not decision.retry.retries(503)
    assert decision.idle_timeout == 60


# -- ingress-nginx -----------------------------------------------------------------------------


def _ingress(
    name: str, path: str, service: str, path_type: str = "Prefix", **annotations: str
) -> Object:
    backend = {"service": {"name": service, "port": {"number": 80}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": NS,
            "annotations": {
                f"nginx.ingress.kubernetes.io/{k.replace('_', '-')}": v
                for k, v in annotations.items()
            },
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": "x.example.com",
                    "http": {"paths": [{"path": path, "pathType": path_type, "backend": backend}]},
                }
            ],
        },
    }


CANARY = [
    _ingress("main", "/", "a"),
    _ingress(
        "canary",
        "/",
        "b",
        canary="true",
        canary_by_header="X-C",
        canary_by_header_value="yes",
        canary_weight="30",
    ),
]

INGRESS_NGINX_ROWS = [
    pytest.param(
        CANARY,
        request("x.example.com", headers={"X-C": "yes"}),
        {"b": 100},
        id="header-beats-weight",
    ),
    pytest.param(
        CANARY,
        request("x.example.com", headers={"X-C": "no"}),
        {"a": 70, "b": 30},
        id="else-weight",
    ),
    pytest.param(
        [_ingress("root", "/", "a"), _ingress("foo", "/foo", "b")],
        request("x.example.com", "/foobar"),
        {"a": 100},
        id="prefix-path-type-whole-segments",
    ),
    pytest.param(
        [_ingress("root", "/", "a"), _ingress("foo", "/foo", "b", "ImplementationSpecific")],
        request("x.example.com", "/foobar"),
        {"b": 100},
        id="implementation-specific-string-prefix",
    ),
    pytest.param(
        [CANARY[1]],
        request("x.example.com", headers={"X-C": "yes"}),
        {"status 404": 100},
        id="lone-canary-unserved",
    ),
]


@pytest.mark.parametrize(("objects", "req", "expected"), INGRESS_NGINX_ROWS)
def test_ingress_nginx_routing(
    objects: list[Object], req: Request, expected: dict[str, float]
) -> None:
    assert _upstreams(IngressNginxModel().decide(objects, req, ENV)) == expected
