"""The envoy backend's translation: ClusterIngress → EnvoyIngressConfig fragments (pure)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from kingress import (
    HASH_HEADER,
    INGRESS_LABEL,
    BackendService,
    ClusterIngress,
    EndpointAddress,
    Feature,
    HTTPIngressPath,
    IngressBackendSplit,
    NotSupported,
    Readiness,
    ServicePort,
    TranslateContext,
    TranslationError,
    Visibility,
    insert_probe,
)
from kingress.plugin.manager import build_registry
from kingress.schemas import CRD_DIR_ENV, schema_errors
from kingress.testing import ingress, path, rule, simple_ingress, split, tls
from kingress_envoy.backend import INGRESS_CLASS, EnvoyBackend
from kingress_envoy.config import EnvoyConfig
from kingress_envoy.names import CRD_FILE
from kingress_envoy.readiness import readiness, rejected_status, served_status

Spec = dict[str, Any]
BACKEND = EnvoyBackend()


def service(
    name: str,
    *,
    ports: tuple[ServicePort, ...] = (ServicePort(port=80),),
    endpoints: tuple[EndpointAddress, ...] = (EndpointAddress(ip="10.0.0.1", port=8080),),
    type_: str = "ClusterIP",
    external_name: str = "",
    namespace: str = "default",
) -> BackendService:
    return BackendService(
        namespace=namespace,
        name=name,
        type=type_,
        external_name=external_name,
        ports=ports,
        endpoints=endpoints,
    )


def context(*services: BackendService, **config: str) -> TranslateContext:
    return TranslateContext(
        config={k.replace("_", "-"): v for k, v in config.items()},
        services={(s.namespace, s.name): s for s in services},
    )


DEFAULT_CONTEXT = context(service("hello"), service("a"), service("b"), service("c"))


def translate(ing: ClusterIngress, ctx: TranslateContext = DEFAULT_CONTEXT) -> dict[str, Any]:
    objects = BACKEND.translate(ing, ctx).objects
    assert len(objects) == 1
    return objects[0]


def spec_of(ing: ClusterIngress, ctx: TranslateContext = DEFAULT_CONTEXT) -> Spec:
    return dict(translate(ing, ctx)["spec"])


def vhosts(spec: Spec, listener: str) -> list[dict[str, Any]]:
    return list(spec["virtualHosts"][listener])


def only_route(spec: Spec, listener: str = "public_http") -> dict[str, Any]:
    (vhost,) = vhosts(spec, listener)
    (route,) = vhost["routes"]
    return dict(route)


def cluster(spec: Spec, name: str) -> dict[str, Any]:
    return next(c for c in spec["clusters"] if c["name"] == name)


# -- table: each row is an ingress (and context) and what its fragments must show ---------


def check_basics(spec: Spec) -> None:
    (vhost,) = vhosts(spec, "public_http")
    assert vhost["domains"] == ["hello.example.com", "hello.example.com:*"]
    route = only_route(spec)
    assert route["match"] == {"prefix": "/"}
    action = route["route"]
    assert action["weighted_clusters"] == {
        "clusters": [{"name": "default/hello:80", "weight": 100}]
    }
    assert action["timeout"] == "0s"
    assert action["idle_timeout"] == "0s"
    assert "retry_policy" not in action
    assert "request_headers_to_add" not in route
    # Like Kourier, ExternalIP rules are served by the private gateway too.
    assert vhosts(spec, "private_http")[0]["domains"] == vhost["domains"]
    assert vhosts(spec, "public_https") == vhosts(spec, "private_https") == []
    assert spec["tls"] == []
    assert spec["clusters"] == [
        {
            "name": "default/hello:80",
            "connect_timeout": "5s",
            "type": "STATIC",
            "load_assignment": {
                "cluster_name": "default/hello:80",
                "endpoints": [
                    {
                        "lb_endpoints": [
                            {
                                "endpoint": {
                                    "address": {
                                        "socket_address": {
                                            "address": "10.0.0.1",
                                            "port_value": 8080,
                                        }
                                    }
                                }
                            }
                        ]
                    }
                ],
            },
        }
    ]


def check_multiple_hosts(spec: Spec) -> None:
    (vhost,) = vhosts(spec, "public_http")
    assert vhost["domains"] == [
        "a.example.com",
        "a.example.com:*",
        "b.example.com",
        "b.example.com:*",
    ]


def check_precedence(spec: Spec) -> None:
    (vhost,) = vhosts(spec, "public_http")
    matches = [r["match"] for r in vhost["routes"]]
    assert matches == [
        {"prefix": "/foo/bar"},
        {"prefix": "/foo", "headers": [{"name": "X-A", "string_match": {"exact": "1"}}]},
        {"prefix": "/foo"},
        {"prefix": "/"},
    ]
    assert [r["name"] for r in vhost["routes"]] == [
        "spec.rules[0].http.paths[2]",
        "spec.rules[0].http.paths[3]",
        "spec.rules[0].http.paths[1]",
        "spec.rules[0].http.paths[0]",
    ]


def check_header_match(spec: Spec) -> None:
    assert only_route(spec)["match"]["headers"] == [
        {"name": "X-A", "string_match": {"exact": "1"}},
        {"name": "X-B", "string_match": {"exact": "two"}},
    ]


def check_zero_percent_dropped(spec: Spec) -> None:
    weights = only_route(spec)["route"]["weighted_clusters"]["clusters"]
    assert weights == [
        {"name": "default/a:80", "weight": 80},
        {"name": "default/b:80", "weight": 20},
    ]
    assert sum(w["weight"] for w in weights) == 100
    assert [c["name"] for c in spec["clusters"]] == ["default/a:80", "default/b:80"]


def check_pre_split(spec: Spec) -> None:
    assert only_route(spec)["request_headers_to_add"] == [
        {"header": {"key": "Foo", "value": "bar"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"},
        {"header": {"key": "Zed", "value": "z"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"},
    ]


def check_post_split(spec: Spec) -> None:
    weights = only_route(spec)["route"]["weighted_clusters"]["clusters"]
    assert [w["request_headers_to_add"] for w in weights] == [
        [{"header": {"key": "Who", "value": "a"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
        [{"header": {"key": "Who", "value": "b"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
    ]


def check_host_rewrite(spec: Spec) -> None:
    assert only_route(spec)["route"]["host_rewrite_literal"] == "internal.default.svc.cluster.local"


def check_cluster_local(spec: Spec) -> None:
    assert vhosts(spec, "public_http") == []
    (vhost,) = vhosts(spec, "private_http")
    assert vhost["domains"] == [
        "hello.default",
        "hello.default:*",
        "hello.default.svc",
        "hello.default.svc:*",
        "hello.default.svc.cluster.local",
        "hello.default.svc.cluster.local:*",
    ]


def check_h2c(spec: Spec) -> None:
    options = cluster(spec, "default/grpc:81")["typed_extension_protocol_options"]
    (value,) = options.values()
    assert value["explicit_http_config"] == {"http2_protocol_options": {}}


def check_external_name(spec: Spec) -> None:
    ext = cluster(spec, "default/ext:80")
    assert ext["type"] == "LOGICAL_DNS"
    assert ext["dns_lookup_family"] == "V4_PREFERRED"
    socket = ext["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
    assert socket == {"socket_address": {"address": "private.example.internal", "port_value": 80}}


def check_redirect(spec: Spec) -> None:
    assert only_route(spec)["redirect"] == {"https_redirect": True}
    https = only_route(spec, "public_https")
    assert "weighted_clusters" in https["route"]
    # The private gateway never redirects.
    assert "route" in only_route(spec, "private_http")
    assert spec["tls"] == [
        {"listener": "public", "serverNames": ["hello.example.com"], "secretRef": "default/cert"}
    ]


def check_tls_enabled(spec: Spec) -> None:
    assert "route" in only_route(spec)
    assert "route" in only_route(spec, "public_https")


def check_redirect_needs_tls(spec: Spec) -> None:
    assert "route" in only_route(spec)
    assert vhosts(spec, "public_https") == []


def check_named_port(spec: Spec) -> None:
    assert only_route(spec)["route"]["weighted_clusters"]["clusters"][0]["name"] == "default/a:80"


def check_missing_service(spec: Spec) -> None:
    missing = cluster(spec, "default/nowhere:8080")
    assert missing["type"] == "STATIC"
    assert missing["load_assignment"] == {"cluster_name": "default/nowhere:8080"}


def check_multi_port_endpoints(spec: Spec) -> None:
    lb = cluster(spec, "default/multi:81")["load_assignment"]["endpoints"][0]["lb_endpoints"]
    assert [e["endpoint"]["address"]["socket_address"]["port_value"] for e in lb] == [9001]


def check_probe(spec: Spec) -> None:
    (vhost,) = vhosts(spec, "public_http")
    first, second = vhost["routes"]
    assert first["match"]["headers"] == [
        {"name": HASH_HEADER, "string_match": {"exact": "override"}}
    ]
    assert first["request_headers_to_add"][0]["header"] == {
        "key": HASH_HEADER,
        "value": spec["probeHash"],
    }
    assert "headers" not in second["match"]


def check_first_rule_wins(spec: Spec) -> None:
    public = vhosts(spec, "public_http")
    assert [v["domains"] for v in public] == [
        ["a.example.com", "a.example.com:*"],
        ["b.example.com", "b.example.com:*"],
    ]


def check_cluster_local_tls(spec: Spec) -> None:
    assert spec["tls"] == [
        {
            "listener": "private",
            "serverNames": ["hello.default.svc.cluster.local"],
            "secretRef": "default/local",
        }
    ]
    assert len(vhosts(spec, "private_https")) == 1
    assert vhosts(spec, "public_https") == []


H2C_PORT = ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c")
MULTI = service(
    "multi",
    ports=(ServicePort(name="http", port=80), ServicePort(name="admin", port=81)),
    endpoints=(
        EndpointAddress(ip="10.0.0.2", port=9000, port_name="http"),
        EndpointAddress(ip="10.0.0.2", port=9001, port_name="admin"),
    ),
)
LOCAL_HOST = "hello.default.svc.cluster.local"

CASES = [
    pytest.param(simple_ingress(), DEFAULT_CONTEXT, check_basics, id="basics"),
    pytest.param(
        ingress(
            rules=[rule(["b.example.com", "a.example.com"], paths=[path(splits=[split("a")])])]
        ),
        DEFAULT_CONTEXT,
        check_multiple_hosts,
        id="multiple-hosts",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[
                        path(splits=[split("a")]),
                        path("/foo", splits=[split("b")]),
                        path("/foo/bar", splits=[split("c")]),
                        path("/foo", match={"X-A": "1"}, splits=[split("c")]),
                    ],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_precedence,
        id="path-precedence",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[path(match={"X-B": "two", "X-A": "1"}, splits=[split("a")])],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_header_match,
        id="header-match",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[path(splits=[split("a", 80), split("c", 0), split("b", 20)])],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_zero_percent_dropped,
        id="weighted-split-zero-dropped",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[path(headers={"Zed": "z", "Foo": "bar"}, splits=[split("a")])],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_pre_split,
        id="pre-split-headers",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[
                        path(
                            splits=[
                                split("a", 50, headers={"Who": "a"}),
                                split("b", 50, headers={"Who": "b"}),
                            ]
                        )
                    ],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_post_split,
        id="post-split-headers",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[
                        path(
                            rewrite_host="internal.default.svc.cluster.local",
                            splits=[split("a")],
                        )
                    ],
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_host_rewrite,
        id="host-rewrite",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    [LOCAL_HOST],
                    paths=[path(splits=[split("hello")])],
                    visibility=Visibility.CLUSTER_LOCAL,
                )
            ]
        ),
        DEFAULT_CONTEXT,
        check_cluster_local,
        id="cluster-local",
    ),
    pytest.param(
        ingress(rules=[rule(["grpc.example.com"], paths=[path(splits=[split("grpc", port=81)])])]),
        context(service("grpc", ports=(H2C_PORT,))),
        check_h2c,
        id="h2c",
    ),
    pytest.param(
        ingress(rules=[rule(["vanity.example.com"], paths=[path(splits=[split("ext")])])]),
        context(
            service(
                "ext", type_="ExternalName", external_name="private.example.internal", endpoints=()
            )
        ),
        check_external_name,
        id="external-name",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("a")])])],
            tls_entries=[tls(["hello.example.com"], "cert")],
            http_option="Redirected",
        ),
        DEFAULT_CONTEXT,
        check_redirect,
        id="tls-redirected",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("a")])])],
            tls_entries=[tls(["hello.example.com"], "cert")],
            http_option="Enabled",
        ),
        DEFAULT_CONTEXT,
        check_tls_enabled,
        id="tls-enabled",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("a")])])],
            http_option="Redirected",
        ),
        DEFAULT_CONTEXT,
        check_redirect_needs_tls,
        id="redirected-without-tls",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("a", port="http")])])]
        ),
        context(service("a", ports=(ServicePort(name="http", port=80),))),
        check_named_port,
        id="named-port",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("nowhere", port=8080)])])]
        ),
        context(),
        check_missing_service,
        id="service-missing",
    ),
    pytest.param(
        ingress(
            rules=[rule(["hello.example.com"], paths=[path(splits=[split("multi", port=81)])])]
        ),
        context(MULTI),
        check_multi_port_endpoints,
        id="multi-port-endpoints",
    ),
    pytest.param(insert_probe(simple_ingress())[0], DEFAULT_CONTEXT, check_probe, id="probe-paths"),
    pytest.param(
        ingress(
            rules=[
                rule(["a.example.com"], paths=[path(splits=[split("a")])]),
                rule(["a.example.com", "b.example.com"], paths=[path(splits=[split("b")])]),
            ]
        ),
        DEFAULT_CONTEXT,
        check_first_rule_wins,
        id="duplicate-host-first-rule-wins",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    [LOCAL_HOST],
                    paths=[path(splits=[split("hello")])],
                    visibility=Visibility.CLUSTER_LOCAL,
                )
            ],
            tls_entries=[tls([LOCAL_HOST], "local")],
        ),
        DEFAULT_CONTEXT,
        check_cluster_local_tls,
        id="cluster-local-tls",
    ),
]


@pytest.mark.parametrize(("ing", "ctx", "check"), CASES)
def test_translate(
    ing: ClusterIngress, ctx: TranslateContext, check: Callable[[Spec], None]
) -> None:
    obj = translate(ing, ctx)
    assert obj["apiVersion"] == "gateway.kingress.dev/v1alpha1"
    assert obj["kind"] == "EnvoyIngressConfig"
    assert obj["metadata"]["name"] == ing.metadata.name
    assert obj["metadata"]["namespace"] == "default"
    assert obj["metadata"]["labels"] == {INGRESS_LABEL: ing.metadata.name}
    check(obj["spec"])


@pytest.mark.parametrize(("ing", "ctx", "check"), CASES)
def test_objects_match_the_crd(
    ing: ClusterIngress,
    ctx: TranslateContext,
    check: Callable[[Spec], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CRD_DIR_ENV, str(CRD_FILE.parent))
    assert schema_errors(translate(ing, ctx)) == []


def test_crd_rejects_a_broken_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CRD_DIR_ENV, str(CRD_FILE.parent))
    obj = translate(simple_ingress())
    obj["spec"]["clusters"][0]["type"] = "EDS?"
    del obj["spec"]["probeHash"]
    assert len(schema_errors(obj)) == 2


def _reversed(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return dict(reversed(list(mapping.items())))


def _shuffled(ing: ClusterIngress) -> ClusterIngress:
    """The same ingress with every dict built in the opposite order."""

    def shuffle_split(s: IngressBackendSplit) -> IngressBackendSplit:
        return s.model_copy(update={"append_headers": _reversed(s.append_headers)})

    def shuffle_path(p: HTTPIngressPath) -> HTTPIngressPath:
        return p.model_copy(
            update={
                "headers": _reversed(p.headers),
                "append_headers": _reversed(p.append_headers),
                "splits": tuple(shuffle_split(s) for s in p.splits),
            }
        )

    rules = []
    for r in ing.spec.rules:
        assert r.http is not None
        http = r.http.model_copy(update={"paths": tuple(shuffle_path(p) for p in r.http.paths)})
        rules.append(r.model_copy(update={"http": http}))
    return ing.model_copy(update={"spec": ing.spec.model_copy(update={"rules": tuple(rules)})})


@pytest.mark.parametrize(("ing", "ctx", "check"), CASES)
def test_deterministic(
    ing: ClusterIngress, ctx: TranslateContext, check: Callable[[Spec], None]
) -> None:
    first = json.dumps(translate(ing, ctx))
    assert json.dumps(translate(ing, ctx)) == first
    shuffled_ctx = TranslateContext(
        config=ctx.config, cluster_domain=ctx.cluster_domain, services=_reversed_services(ctx)
    )
    assert json.dumps(translate(_shuffled(ing), shuffled_ctx)) == first


def _reversed_services(ctx: TranslateContext) -> dict[tuple[str, str], BackendService]:
    return {
        key: svc.__class__(
            namespace=svc.namespace,
            name=svc.name,
            type=svc.type,
            external_name=svc.external_name,
            ports=tuple(reversed(svc.ports)),
            endpoints=tuple(reversed(svc.endpoints)),
        )
        for key, svc in reversed(list(ctx.services.items()))
    }


def test_output_has_no_shared_subobjects() -> None:
    """Each virtual host owns its routes (a YAML dump must not need anchors)."""
    spec = spec_of(simple_ingress())
    public, private = vhosts(spec, "public_http")[0], vhosts(spec, "private_http")[0]
    assert public["routes"] == private["routes"]
    assert public["routes"] is not private["routes"]


def _ingress_with(p: HTTPIngressPath) -> ClusterIngress:
    return ingress(rules=[rule(["hello.example.com"], paths=[p])])


@pytest.mark.parametrize(
    ("ing", "ctx", "message"),
    [
        pytest.param(
            _ingress_with(path(headers={"Bad Header": "x"}, splits=[split("a")])),
            DEFAULT_CONTEXT,
            "spec.rules[0].http.paths[0].appendHeaders: 'Bad Header' is not a valid HTTP header",
            id="bad-header-name",
        ),
        pytest.param(
            _ingress_with(path(splits=[split("a", headers={"Host": "x"})])),
            DEFAULT_CONTEXT,
            "spec.rules[0].http.paths[0].splits[0].appendHeaders: 'Host' cannot be set",
            id="host-header",
        ),
        pytest.param(
            _ingress_with(path(match={"X:Y": "1"}, splits=[split("a")])),
            DEFAULT_CONTEXT,
            "spec.rules[0].http.paths[0].headers: 'X:Y' is not a valid HTTP header name",
            id="bad-match-name",
        ),
        pytest.param(
            _ingress_with(path(splits=[split("a", port="grpc")])),
            DEFAULT_CONTEXT,
            "spec.rules[0].http.paths[0].splits[0].servicePort: Service default/a has no port",
            id="unknown-named-port",
        ),
        pytest.param(
            _ingress_with(path(splits=[split("a", 0), split("b", 0)])),
            DEFAULT_CONTEXT,
            "spec.rules[0].http.paths[0].splits: no split has a positive percent",
            id="all-zero",
        ),
        pytest.param(
            simple_ingress(),
            context(service("hello"), connect_timeout="soon"),
            "config: connect-timeout: 'soon' is not a duration",
            id="bad-config-timeout",
        ),
        pytest.param(
            simple_ingress(),
            context(service("hello"), external_name_dns_type="EDS"),
            "config: external-name-dns-type: 'EDS' is not one of LOGICAL_DNS, STRICT_DNS",
            id="bad-config-dns",
        ),
        pytest.param(
            simple_ingress(),
            context(service("hello"), colour="blue"),
            "config: unknown key(s) colour",
            id="unknown-config-key",
        ),
    ],
)
def test_translation_errors_name_the_field(
    ing: ClusterIngress, ctx: TranslateContext, message: str
) -> None:
    with pytest.raises(TranslationError) as raised:
        BACKEND.translate(ing, ctx)
    assert message in str(raised.value)
    assert not isinstance(raised.value, NotSupported)


def test_config_defaults_and_values() -> None:
    assert EnvoyConfig.from_data({}) == EnvoyConfig()
    parsed = EnvoyConfig.from_data(
        {
            "connect-timeout": "1.5s",
            "external-name-dns-type": "strict_dns",
            "http-option-redirect": "false",
            "public-ip": "",
            "private-domain-internal": "kingress-internal.kingress.svc.cluster.local",
        }
    )
    assert parsed.connect_timeout == "1.5s"
    assert parsed.external_name_dns_type == "STRICT_DNS"
    assert parsed.http_option_redirect is False
    assert parsed.load_balancer(private=False).ingress == ()
    (lb,) = parsed.load_balancer(private=True).ingress
    assert lb.ip == "127.0.0.1"
    assert lb.domain_internal == "kingress-internal.kingress.svc.cluster.local"


def test_redirect_can_be_disabled() -> None:
    ing = ingress(
        rules=[rule(["hello.example.com"], paths=[path(splits=[split("a")])])],
        tls_entries=[tls(["hello.example.com"], "cert")],
        http_option="Redirected",
    )
    spec = spec_of(ing, context(service("a"), http_option_redirect="false"))
    assert "route" in only_route(spec)


def test_load_balancers_default_to_loopback() -> None:
    translation = BACKEND.translate(simple_ingress(), DEFAULT_CONTEXT)
    assert translation.public_load_balancer.ingress[0].ip == "127.0.0.1"
    assert translation.private_load_balancer.ingress[0].ip == "127.0.0.1"


def test_discovered_through_entry_point() -> None:
    backend = build_registry(blocked=()).for_class(INGRESS_CLASS)
    assert isinstance(backend, EnvoyBackend)
    assert backend.name == "envoy"
    assert backend.features == frozenset(Feature)


# -- readiness -------------------------------------------------------------------------


def _applied(ing: ClusterIngress, status: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    obj = translate(insert_probe(ing)[0])
    if status is not None:
        obj["status"] = status
    return [obj]


ING = simple_ingress()
HASH = insert_probe(ING)[1]
OTHER = insert_probe(simple_ingress(host="other.example.com"))[1]


@pytest.mark.parametrize(
    ("applied", "expected"),
    [
        pytest.param(
            [],
            Readiness.waiting("Uninitialized", "Waiting for EnvoyIngressConfig to be created"),
            id="absent",
        ),
        pytest.param(
            _applied(ING),
            Readiness.waiting("Uninitialized", "Waiting for Envoy to serve the configuration"),
            id="no-status",
        ),
        pytest.param(_applied(ING, served_status(HASH, "v1")), Readiness.serving(), id="served"),
        pytest.param(
            _applied(ING, served_status(OTHER)),
            Readiness.waiting("Uninitialized", "Waiting for Envoy to serve the configuration"),
            id="older-hash-served",
        ),
        pytest.param(
            _applied(ING, rejected_status(HASH, "EnvoyRejected", "bad cert", served_hash=OTHER)),
            Readiness.failed("EnvoyRejected", "bad cert"),
            id="rejected",
        ),
        pytest.param(
            _applied(simple_ingress(host="other.example.com"), served_status(OTHER)),
            Readiness.waiting("Uninitialized", "Waiting for EnvoyIngressConfig to be updated"),
            id="stale-spec",
        ),
    ],
)
def test_check_ready(applied: list[dict[str, Any]], expected: Readiness) -> None:
    assert BACKEND.check_ready(ING, applied) == expected
    # The probed ingress (as translate sees it) reads the same hash.
    assert readiness(insert_probe(ING)[0], applied) == expected
