"""Table-driven tests of the VirtualServer translation, one row per ClusterIngress feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kingress import (
    HASH_HEADER,
    ClusterIngress,
    NotSupported,
    TranslateContext,
    TranslationError,
    Visibility,
    compute_hash,
    insert_probe,
)
from kingress.testing import (
    backend_service,
    ingress,
    path,
    rule,
    simple_ingress,
    split,
    tls,
    translate_context,
)
from kingress_nginx import NginxBackend

HOST = "hello.example.com"
LOCAL = "hello.default.svc.cluster.local"
CONTEXT = translate_context(services=[backend_service(n) for n in ("hello", "v1", "v2", "v3")])

Obj = dict[str, Any]


def translate(ing: ClusterIngress, context: TranslateContext = CONTEXT) -> list[Obj]:
    return list(NginxBackend().translate(ing, context).objects)


def server(objects: list[Obj], host: str = HOST) -> Obj:
    [found] = [o for o in objects if o["spec"]["host"] == host]
    return found


def proxy(upstream: str, **headers: str) -> Obj:
    result: Obj = {"upstream": upstream}
    if headers:
        result["requestHeaders"] = {
            "set": [
                {"name": n.replace("_", "-"), "value": v}
                for n, v in sorted(headers.items(), key=lambda kv: kv[0].lower())
            ]
        }
    return {"proxy": result}


def routes_of(objects: list[Obj], host: str = HOST) -> list[Obj]:
    routes: list[Obj] = server(objects, host)["spec"]["routes"]
    return routes


NOT_FOUND = {"return": {"code": 404, "type": "text/plain", "body": "Not Found"}}


@pytest.mark.parametrize(
    ("ing", "expected_routes"),
    [
        pytest.param(simple_ingress(), [{"path": "/", "action": proxy("hello-80")}], id="basics"),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path("/foo", splits=[split("v1")]),
                            path("/bar", splits=[split("v2")]),
                            path(splits=[split("v3")]),
                        ],
                    )
                ]
            ),
            [
                {"path": "/bar", "action": proxy("v2-80")},
                {"path": "/foo", "action": proxy("v1-80")},
                {"path": "/", "action": proxy("v3-80")},
            ],
            id="path-dispatch",
        ),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path("/foo", splits=[split("v1")])])]),
            [{"path": "/foo", "action": proxy("v1-80")}, {"path": "/", "action": NOT_FOUND}],
            id="no-catch-all-answers-404",
        ),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", 30), split("v2", 70)])])]),
            [
                {
                    "path": "/",
                    "splits": [
                        {"weight": 30, "action": proxy("v1-80")},
                        {"weight": 70, "action": proxy("v2-80")},
                    ],
                }
            ],
            id="weighted-split",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[path(splits=[split("v1", 20), split("v2", 30), split("v3", 50)])],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "splits": [
                        {"weight": 20, "action": proxy("v1-80")},
                        {"weight": 30, "action": proxy("v2-80")},
                        {"weight": 50, "action": proxy("v3-80")},
                    ],
                }
            ],
            id="multi-way-split",
        ),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", 0), split("v2", 100)])])]),
            [{"path": "/", "action": proxy("v2-80")}],
            id="zero-percent-dropped",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(splits=[split("v1", 0), split("v2", 40), split("v3", 60)]),
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "splits": [
                        {"weight": 40, "action": proxy("v2-80")},
                        {"weight": 60, "action": proxy("v3-80")},
                    ],
                }
            ],
            id="zero-percent-dropped-from-splits",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"Knative-Serving-Tag": "the-tag"}, splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "matches": [
                        {
                            "conditions": [{"header": "Knative-Serving-Tag", "value": "the-tag"}],
                            "action": proxy("v1-80"),
                        }
                    ],
                    "action": proxy("v2-80"),
                }
            ],
            id="header-match",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"X-B": "2", "X-A": "1"}, splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "matches": [
                        {
                            "conditions": [
                                {"header": "X-A", "value": "1"},
                                {"header": "X-B", "value": "2"},
                            ],
                            "action": proxy("v1-80"),
                        }
                    ],
                    "action": proxy("v2-80"),
                }
            ],
            id="multiple-header-match",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"X-Only": "yes"}, splits=[split("v1")]),
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "matches": [
                        {
                            "conditions": [{"header": "X-Only", "value": "yes"}],
                            "action": proxy("v1-80"),
                        }
                    ],
                    "action": NOT_FOUND,
                }
            ],
            id="header-without-fallback-404",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path("/api", match={"X-Version": "2"}, splits=[split("v2")]),
                            path(match={"X-Canary": "on"}, splits=[split("v3")]),
                            path(splits=[split("v1")]),
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/api",
                    "matches": [
                        {
                            "conditions": [{"header": "X-Version", "value": "2"}],
                            "action": proxy("v2-80"),
                        },
                        {
                            "conditions": [{"header": "X-Canary", "value": "on"}],
                            "action": proxy("v3-80"),
                        },
                    ],
                    "action": proxy("v1-80"),
                },
                {
                    "path": "/",
                    "matches": [
                        {
                            "conditions": [{"header": "X-Canary", "value": "on"}],
                            "action": proxy("v3-80"),
                        }
                    ],
                    "action": proxy("v1-80"),
                },
            ],
            id="shorter-prefix-header-paths-join-longer-locations",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path("/", splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            [{"path": "/", "action": proxy("v1-80")}],
            id="slash-beats-empty-path",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[path(headers={"Foo-Bar-Baz": "name"}, splits=[split("v1")])],
                    )
                ]
            ),
            [{"path": "/", "action": proxy("v1-80", Foo_Bar_Baz="name")}],
            id="pre-split-headers",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(
                                headers={"Pre": "p", "Shared": "pre"},
                                splits=[
                                    split("v1", 50, headers={"Shared": "one"}),
                                    split("v2", 50, headers={"Post": "two"}),
                                ],
                            )
                        ],
                    )
                ]
            ),
            [
                {
                    "path": "/",
                    "splits": [
                        {"weight": 50, "action": proxy("v1-80", Pre="p", Shared="one")},
                        {"weight": 50, "action": proxy("v2-80", Post="two", Pre="p", Shared="pre")},
                    ],
                }
            ],
            id="post-split-headers-overwrite-pre-split",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        ["vanity.example.com"],
                        paths=[path(rewrite_host=LOCAL, splits=[split("hello")])],
                    )
                ]
            ),
            [{"path": "/", "action": proxy("hello-80", Host=LOCAL)}],
            id="host-rewrite",
        ),
    ],
)
def test_routes(ing: ClusterIngress, expected_routes: list[Obj]) -> None:
    objects = translate(ing)
    host = ing.spec.rules[0].hosts[0]
    assert routes_of(objects, host) == expected_routes


def _upstreams(objects: list[Obj]) -> list[Obj]:
    upstreams: list[Obj] = server(objects)["spec"]["upstreams"]
    return upstreams


Check = Callable[[list[Obj]], None]


def _check_upstream_defaults(objects: list[Obj]) -> None:
    assert _upstreams(objects) == [
        {
            "name": "hello-80",
            "service": "hello",
            "port": 80,
            "read-timeout": "3600s",
            "send-timeout": "3600s",
            "next-upstream": "off",
            "next-upstream-tries": 1,
        }
    ]


def _check_h2c(objects: list[Obj]) -> None:
    [upstream] = _upstreams(objects)
    assert (upstream["port"], upstream.get("type")) == (81, "grpc")


def _check_named_port(objects: list[Obj]) -> None:
    [upstream] = _upstreams(objects)
    assert (upstream["name"], upstream["port"], upstream.get("type")) == ("hello-81", 81, "grpc")


def _check_multiple_hosts(objects: list[Obj]) -> None:
    assert sorted(o["spec"]["host"] for o in objects) == ["a.example.com", HOST]
    assert server(objects, "a.example.com")["spec"]["routes"] == server(objects)["spec"]["routes"]


def _check_cluster_local(objects: list[Obj]) -> None:
    hosts = {o["spec"]["host"]: o for o in objects}
    assert sorted(hosts) == ["hello.default", "hello.default.svc", LOCAL]
    for obj in hosts.values():
        assert obj["spec"]["ingressClassName"] == "nginx-internal"
        assert obj["metadata"]["name"].endswith("-local")


def _check_tls_enabled(objects: list[Obj]) -> None:
    assert server(objects)["spec"]["tls"] == {"secret": "hello-cert"}
    assert "tls" not in server(objects, "plain.example.com")["spec"]


def _check_tls_redirected(objects: list[Obj]) -> None:
    assert server(objects)["spec"]["tls"] == {
        "secret": "hello-cert",
        "redirect": {"enable": True, "code": 301, "basedOn": "scheme"},
    }


def _check_first_rule_wins(objects: list[Obj]) -> None:
    assert [o["spec"]["host"] for o in objects] == [HOST]
    assert server(objects)["spec"]["routes"] == [{"path": "/", "action": proxy("v1-80")}]


def _check_metadata(objects: list[Obj]) -> None:
    [obj] = objects
    assert obj["apiVersion"] == "k8s.nginx.org/v1"
    assert obj["kind"] == "VirtualServer"
    assert obj["metadata"] == {
        "name": "hello-hello.example.com",
        "namespace": "default",
        "labels": {"networking.internal.knative.dev/ingress": "hello"},
    }
    assert obj["spec"]["ingressClassName"] == "nginx"


@pytest.mark.parametrize(
    ("ing", "check"),
    [
        pytest.param(simple_ingress(), _check_metadata, id="metadata-and-class"),
        pytest.param(simple_ingress(), _check_upstream_defaults, id="no-retry-long-timeouts"),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", port=81)])])]),
            _check_h2c,
            id="h2c-upstream-is-grpc",
        ),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=[split("hello", port="http2")])])]),
            _check_named_port,
            id="named-port-resolved",
        ),
        pytest.param(
            ingress(rules=[rule([HOST, "a.example.com"], paths=[path(splits=[split("hello")])])]),
            _check_multiple_hosts,
            id="one-virtualserver-per-host",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [LOCAL],
                        visibility=Visibility.CLUSTER_LOCAL,
                        paths=[path(splits=[split("hello")])],
                    )
                ]
            ),
            _check_cluster_local,
            id="cluster-local-expanded-internal-class",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST, "plain.example.com"], paths=[path(splits=[split("hello")])])],
                tls_entries=[tls([HOST], "hello-cert")],
                http_option="Enabled",
            ),
            _check_tls_enabled,
            id="tls-enabled",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(splits=[split("hello")])])],
                tls_entries=[tls([HOST], "hello-cert")],
                http_option="Redirected",
            ),
            _check_tls_redirected,
            id="tls-redirected",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule([HOST], paths=[path(splits=[split("v1")])]),
                    rule([HOST], paths=[path(splits=[split("v2")])]),
                ]
            ),
            _check_first_rule_wins,
            id="duplicate-host-first-rule-wins",
        ),
    ],
)
def test_virtual_server(ing: ClusterIngress, check: Check) -> None:
    check(translate(ing))


def test_cluster_local_tls_never_redirects() -> None:
    ing = ingress(
        rules=[
            rule([LOCAL], visibility=Visibility.CLUSTER_LOCAL, paths=[path(splits=[split("v1")])])
        ],
        tls_entries=[tls([LOCAL], "local-cert")],
        http_option="Redirected",
    )
    assert server(translate(ing), LOCAL)["spec"]["tls"] == {"secret": "local-cert"}


def test_probe_paths_become_matches_that_set_the_hash() -> None:
    ing, hash_ = insert_probe(simple_ingress())
    assert hash_ == compute_hash(simple_ingress())
    assert routes_of(translate(ing)) == [
        {
            "path": "/",
            "matches": [
                {
                    "conditions": [{"header": HASH_HEADER, "value": "override"}],
                    "action": proxy("hello-80", **{"K-Network-Hash": hash_}),
                }
            ],
            "action": proxy("hello-80"),
        }
    ]


def test_load_balancers_default_and_configured() -> None:
    translation = NginxBackend().translate(simple_ingress(), CONTEXT)
    assert translation.public_load_balancer.ingress[0].domain_internal == (
        "nginx-ingress.nginx-ingress.svc.cluster.local"
    )
    assert translation.private_load_balancer.ingress[0].domain_internal == (
        "nginx-ingress-internal.nginx-ingress.svc.cluster.local"
    )
    configured = TranslateContext(
        config={
            "public-load-balancer": "pub.gw.svc.example.org",
            "private-load-balancer": "priv.gw.svc.example.org",
            "ingress-class": "public-nginx",
            "proxy-timeout": "600",
        },
        cluster_domain="example.org",
    )
    translation = NginxBackend().translate(simple_ingress(), configured)
    assert translation.public_load_balancer.ingress[0].domain_internal == "pub.gw.svc.example.org"
    assert translation.private_load_balancer.ingress[0].domain_internal == (
        "priv.gw.svc.example.org"
    )
    [obj] = translation.objects
    assert obj["spec"]["ingressClassName"] == "public-nginx"
    assert obj["spec"]["upstreams"][0]["read-timeout"] == "600s"


def test_missing_service_falls_back_to_http1() -> None:
    [obj] = translate(simple_ingress(), TranslateContext())
    [upstream] = obj["spec"]["upstreams"]
    assert "type" not in upstream
    assert upstream["port"] == 80


@pytest.mark.parametrize(
    ("ing", "error", "message"),
    [
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=[split("hello", port="web")])])]),
            TranslationError,
            "spec.rules[0].http.paths[0].splits[0].servicePort: port 'web' is not a port of "
            "Service default/hello; a port number is needed",
            id="unknown-port-name",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(splits=[split("hello")])])],
                tls_entries=[tls([HOST], "cert", namespace="other")],
            ),
            NotSupported,
            "spec.tls[0].secretNamespace: NGINX can only use a TLS Secret in the ingress's "
            "namespace 'default', got 'other'",
            id="tls-secret-elsewhere",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[path(match={"X-Neg": "!not"}, splits=[split("hello")])],
                    )
                ]
            ),
            TranslationError,
            "spec.rules[0].http.paths[0].headers[X-Neg]: invalid header match value '!not': "
            "a VirtualServer condition value cannot start with '!' or '~'",
            id="negation-value",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(match={"X-Re": "~.*"}, splits=[split("hello")])])]
            ),
            TranslationError,
            "cannot start with '!' or '~'",
            id="regex-value",
        ),
    ],
)
def test_errors(ing: ClusterIngress, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        translate(ing)
    assert message in str(raised.value)


def test_error_names_the_authors_field_after_probe_insertion() -> None:
    ing = ingress(
        rules=[
            rule(
                [HOST],
                paths=[
                    path("/ok", splits=[split("hello")]),
                    path("/bad path", splits=[split("hello")]),
                ],
            )
        ]
    )
    with pytest.raises(TranslationError) as raised:
        translate(insert_probe(ing)[0])
    assert str(raised.value).startswith("spec.rules[0].http.paths[1].path: invalid path")


def test_long_names_stay_within_limits() -> None:
    host = ".".join(["a" * 60] * 4)[:250].rstrip(".")
    ing = ingress(name="r" * 63, rules=[rule([host], paths=[path(splits=[split("s" * 63)])])])
    [obj] = translate(ing)
    assert len(obj["metadata"]["name"]) <= 253
    [upstream] = obj["spec"]["upstreams"]
    assert len(upstream["name"]) <= 63
    assert obj["metadata"]["labels"] == {"networking.internal.knative.dev/ingress": "r" * 63}
