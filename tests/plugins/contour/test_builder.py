"""Table-driven tests of the HTTPProxies built for each ClusterIngress feature."""

from __future__ import annotations

from typing import Any

import pytest

from kingress import INGRESS_LABEL, BackendService, ClusterIngress, ServicePort, Visibility
from kingress.testing import ingress, path, rule, simple_ingress, split, tls

from .conftest import proxies_by_host, run_translate

ABSENT = object()  # the key must not be there


def assert_subset(actual: Any, expected: Any, where: str = "spec") -> None:
    """Every key of ``expected`` is in ``actual`` with a matching value; lists match in full."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            if value is ABSENT:
                assert key not in actual, f"{where}.{key} should be absent: {actual[key]!r}"
            else:
                assert key in actual, f"{where}.{key} missing in {actual!r}"
                assert_subset(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: {actual!r} is not a list"
        assert len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_subset(got, want, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def svc(name: str, weight: int = 100, port: int = 80, **extra: Any) -> dict[str, Any]:
    return {"name": name, "port": port, "weight": weight, **extra}


def route(prefix: str = "/", *services: dict[str, Any], **extra: Any) -> dict[str, Any]:
    headers = extra.pop("match", {})
    conditions: list[dict[str, Any]] = [{"prefix": prefix}]
    conditions += [{"header": {"name": k, "exact": v}} for k, v in headers.items()]
    return {"conditions": conditions, "services": list(services or (svc("hello"),)), **extra}


def sets(**headers: str) -> dict[str, Any]:
    return {"set": [{"name": k.replace("_", "-"), "value": v} for k, v in headers.items()]}


EXT, INT = "contour-external", "contour-internal"
H2C_SERVICE = BackendService(
    namespace="default", name="grpc", ports=(ServicePort(name="http2", port=81),)
)
APP_PROTOCOL_SERVICE = BackendService(
    namespace="default",
    name="app",
    ports=(ServicePort(name="web", port=8080, app_protocol="kubernetes.io/h2c"),),
)
NAMED_PORT_SERVICE = BackendService(
    namespace="default", name="named", ports=(ServicePort(name="http", port=8012),)
)
LONG_HOST = "a-very-long-subdomain-label.another-long-label.yet-another.example.com"


def one(host: str, *paths: Any, **kw: Any) -> ClusterIngress:
    return ingress(rules=[rule([host], paths=list(paths) or [path(splits=[split("hello")])])], **kw)


ROWS = [
    pytest.param(
        simple_ingress(),
        {},
        {
            f"{EXT} hello.example.com": {
                "ingressClassName": EXT,
                "virtualhost": {"fqdn": "hello.example.com", "tls": ABSENT},
                "routes": [
                    {
                        "conditions": [{"prefix": "/"}],
                        "services": [{"name": "hello", "port": 80, "weight": 100}],
                        "enableWebsockets": True,
                        "permitInsecure": False,
                        "timeoutPolicy": {"response": "infinity", "idle": "infinity"},
                        "retryPolicy": ABSENT,
                        "requestHeadersPolicy": ABSENT,
                    }
                ],
            }
        },
        id="basics",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["a.example.com", "b.example.com", "c.example.com", LONG_HOST],
                    paths=[path(splits=[split("hello")])],
                )
            ]
        ),
        {},
        {
            f"{EXT} {host}": {"routes": [route("/")]}
            for host in ("a.example.com", "b.example.com", "c.example.com", LONG_HOST)
        },
        id="multiple-hosts",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["one.example.com"], paths=[path(splits=[split("one")], headers={"Who": "1"})]
                ),
                rule(
                    ["two.example.com"], paths=[path(splits=[split("two")], headers={"Who": "2"})]
                ),
            ]
        ),
        {},
        {
            f"{EXT} one.example.com": {
                "routes": [route("/", svc("one"), requestHeadersPolicy=sets(Who="1"))]
            },
            f"{EXT} two.example.com": {
                "routes": [route("/", svc("two"), requestHeadersPolicy=sets(Who="2"))]
            },
        },
        id="host-dispatch",
    ),
    pytest.param(
        one(
            "path.example.com",
            path(splits=[split("catch-all")]),
            path("/foo", splits=[split("foo")]),
            path("/bar", splits=[split("bar")]),
            path("/foo/deeper", splits=[split("deeper")]),
            path("/baz", splits=[split("baz")]),
        ),
        {},
        {
            f"{EXT} path.example.com": {
                "routes": [
                    route("/foo/deeper", svc("deeper")),
                    route("/foo", svc("foo")),
                    route("/bar", svc("bar")),
                    route("/baz", svc("baz")),
                    route("/", svc("catch-all")),
                ]
            }
        },
        id="path-dispatch-in-contract-order",
    ),
    pytest.param(
        one(
            "tags.example.com",
            path(splits=[split("default")], headers={"Knative-Serving-Default-Route": "true"}),
            path(splits=[split("tagged")], match={"Knative-Serving-Tag": "the-tag"}),
        ),
        {},
        {
            f"{EXT} tags.example.com": {
                "routes": [
                    route("/", svc("tagged"), match={"Knative-Serving-Tag": "the-tag"}),
                    route(
                        "/",
                        svc("default"),
                        requestHeadersPolicy=sets(Knative_Serving_Default_Route="true"),
                    ),
                ]
            }
        },
        id="header-match",
    ),
    pytest.param(
        one(
            "multi.example.com",
            path("/api", splits=[split("both")], match={"X-B": "2", "x-a": "1"}),
        ),
        {},
        {
            f"{EXT} multi.example.com": {
                "routes": [route("/api", svc("both"), match={"x-a": "1", "X-B": "2"})]
            }
        },
        id="multiple-header-match-sorted-by-name",
    ),
    pytest.param(
        one("dup.example.com", path(splits=[split("hello")], match={"X-A": "1", "x-a": "1"})),
        {},
        {f"{EXT} dup.example.com": {"routes": [route("/", svc("hello"), match={"X-A": "1"})]}},
        id="header-match-case-duplicates-merged",
    ),
    pytest.param(
        one("pre.example.com", path(splits=[split("hello")], headers={"Foo-Bar-Baz": "name"})),
        {},
        {
            f"{EXT} pre.example.com": {
                "routes": [route("/", requestHeadersPolicy=sets(Foo_Bar_Baz="name"))]
            }
        },
        id="pre-split-headers-set",
    ),
    pytest.param(
        one(
            "post.example.com",
            path(
                splits=[
                    split(f"s{i}", 25, headers={"Foo-Bar": f"s{i}", "A-First": "x"})
                    for i in range(4)
                ]
            ),
        ),
        {},
        {
            f"{EXT} post.example.com": {
                "routes": [
                    route(
                        "/",
                        *(
                            svc(
                                f"s{i}", 25, requestHeadersPolicy=sets(A_First="x", Foo_Bar=f"s{i}")
                            )
                            for i in range(4)
                        ),
                        requestHeadersPolicy=ABSENT,
                    )
                ]
            }
        },
        id="post-split-headers-set-per-service",
    ),
    pytest.param(
        one(
            "pct.example.com",
            path(
                splits=[
                    split(f"p{i}", pct) for i, pct in enumerate([1, 2, 4, 8, 16, 32, 37, 0, 0, 0])
                ]
            ),
        ),
        {},
        {
            f"{EXT} pct.example.com": {
                "routes": [
                    route(
                        "/",
                        *(svc(f"p{i}", pct) for i, pct in enumerate([1, 2, 4, 8, 16, 32, 37])),
                    )
                ]
            }
        },
        id="zero-percent-splits-dropped",
    ),
    pytest.param(
        one("split.example.com", path("/foo", splits=[split("a", 50), split("b", 50)])),
        {},
        {f"{EXT} split.example.com": {"routes": [route("/foo", svc("a", 50), svc("b", 50))]}},
        id="path-and-percentage",
    ),
    pytest.param(
        one("zero.example.com", path(splits=[split("only", 0)])),
        {},
        {f"{EXT} zero.example.com": {"routes": [route("/", svc("only", 100))]}},
        id="lone-zero-percent-split-defaults-to-100",
    ),
    pytest.param(
        one(
            "grpc.example.com",
            path(splits=[split("grpc", 50, port=81), split("app", 50, port="web")]),
        ),
        {},
        {
            f"{EXT} grpc.example.com": {
                "routes": [
                    route(
                        "/",
                        svc("grpc", 50, port=81, protocol="h2c"),
                        svc("app", 50, port=8080, protocol="h2c"),
                    )
                ]
            }
        },
        id="h2c-upstreams-by-port-name-and-app-protocol",
    ),
    pytest.param(
        one(
            "named.example.com",
            path(
                splits=[
                    split("named", port="http"),
                ]
            ),
        ),
        {},
        {
            f"{EXT} named.example.com": {
                "routes": [route("/", svc("named", port=8012, protocol=ABSENT))]
            }
        },
        id="named-port-resolved-http1",
    ),
    pytest.param(
        one("plain.example.com", path(splits=[split("unknown", port=8080)])),
        {},
        {
            f"{EXT} plain.example.com": {
                "routes": [route("/", svc("unknown", port=8080, protocol=ABSENT))]
            }
        },
        id="unknown-service-defaults-to-http1",
    ),
    pytest.param(
        one(
            "vanity.example.com",
            path(
                splits=[split("private", headers={"K-Original-Host": "vanity.example.com"})],
                rewrite_host="hello.default.svc.cluster.local",
            ),
        ),
        {},
        {
            f"{EXT} vanity.example.com": {
                "routes": [
                    route(
                        "/",
                        svc(
                            "private",
                            requestHeadersPolicy=sets(K_Original_Host="vanity.example.com"),
                        ),
                        requestHeadersPolicy=sets(Host="hello.default.svc.cluster.local"),
                    )
                ]
            }
        },
        id="rewrite-host-as-route-host-header",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.default.svc.cluster.local"],
                    visibility=Visibility.CLUSTER_LOCAL,
                    paths=[path(splits=[split("hello")])],
                )
            ],
            http_option="Redirected",
        ),
        {},
        {
            f"{INT} {host}": {"ingressClassName": INT, "routes": [route("/", permitInsecure=True)]}
            for host in ("hello.default", "hello.default.svc", "hello.default.svc.cluster.local")
        },
        id="cluster-local-expanded-on-internal-class",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["hello.default.svc.corp.example"],
                    visibility=Visibility.CLUSTER_LOCAL,
                    paths=[path(splits=[split("hello")])],
                )
            ]
        ),
        {"cluster_domain": "corp.example"},
        {
            f"{INT} {host}": {}
            for host in ("hello.default", "hello.default.svc", "hello.default.svc.corp.example")
        },
        id="cluster-local-custom-cluster-domain",
    ),
    pytest.param(
        one(
            "tls.example.com", tls_entries=[tls(["tls.example.com"], "cert")], http_option="Enabled"
        ),
        {},
        {
            f"{EXT} tls.example.com": {
                "virtualhost": {"fqdn": "tls.example.com", "tls": {"secretName": "cert"}},
                "routes": [route("/", permitInsecure=True)],
            }
        },
        id="tls-http-option-enabled",
    ),
    pytest.param(
        one(
            "tls.example.com",
            tls_entries=[tls(["tls.example.com"], "cert")],
            http_option="Redirected",
        ),
        {},
        {
            f"{EXT} tls.example.com": {
                "virtualhost": {"tls": {"secretName": "cert"}},
                "routes": [route("/", permitInsecure=False)],
            }
        },
        id="tls-http-option-redirected",
    ),
    pytest.param(
        one("tls.example.com", tls_entries=[tls(["tls.example.com"], "cert", namespace="certs")]),
        {},
        {f"{EXT} tls.example.com": {"virtualhost": {"tls": {"secretName": "certs/cert"}}}},
        id="tls-secret-in-other-namespace",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["a.apps.example.com", "apps.example.com"],
                    paths=[path(splits=[split("hello")])],
                )
            ],
            tls_entries=[tls(["*.apps.example.com"], "wild"), tls(["a.apps.example.com"], "exact")],
        ),
        {},
        {
            f"{EXT} a.apps.example.com": {"virtualhost": {"tls": {"secretName": "exact"}}},
            f"{EXT} apps.example.com": {"virtualhost": {"tls": ABSENT}},
        },
        id="tls-exact-before-wildcard-one-label-only",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["Hello.Example.COM", "hello.example.com."],
                    paths=[path(splits=[split("first")])],
                ),
                rule(["HELLO.example.com"], paths=[path(splits=[split("second")])]),
            ],
            tls_entries=[tls(["HELLO.EXAMPLE.COM"], "cert")],
        ),
        {},
        {
            f"{EXT} hello.example.com": {
                "virtualhost": {"fqdn": "hello.example.com", "tls": {"secretName": "cert"}},
                "routes": [route("/", svc("first"))],
            }
        },
        id="hosts-differing-in-case-merged-first-rule-wins",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(["both.default.svc.cluster.local"], paths=[path(splits=[split("public")])]),
                rule(
                    ["both.default.svc.cluster.local"],
                    visibility=Visibility.CLUSTER_LOCAL,
                    paths=[path(splits=[split("private")])],
                ),
            ]
        ),
        {},
        {
            f"{EXT} both.default.svc.cluster.local": {"routes": [route("/", svc("public"))]},
            **{
                f"{INT} {host}": {"routes": [route("/", svc("private"))]}
                for host in ("both.default", "both.default.svc", "both.default.svc.cluster.local")
            },
        },
        id="same-host-per-visibility-separate-installations",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    [f"h{i:02d}.example.com" for i in range(40)],
                    paths=[path(splits=[split("hello")])],
                )
            ]
        ),
        {},
        {f"{EXT} h{i:02d}.example.com": {"routes": [route("/")]} for i in range(40)},
        id="many-hosts",
    ),
    pytest.param(
        one(
            "dedupe.example.com",
            path(splits=[split("empty-path")]),
            path("/", splits=[split("slash")]),
            path("/", splits=[split("slash-again")]),
            path("", splits=[split("header-wins")], match={"X": "1"}),
        ),
        {},
        {
            f"{EXT} dedupe.example.com": {
                # "" counts as "/": the header match is more specific; the first
                # of the equal paths wins and the two "/" ones are never picked.
                "routes": [
                    route("/", svc("header-wins"), match={"X": "1"}),
                    route("/", svc("empty-path")),
                ]
            }
        },
        id="paths-the-contract-never-picks-dropped",
    ),
    pytest.param(
        one("custom.example.com", tls_entries=[], http_option="Enabled"),
        {
            "config": {
                "external-class": "public",
                "internal-class": "private",
                "timeout-policy-idle": "5m",
            }
        },
        {
            "public custom.example.com": {
                "routes": [route("/", timeoutPolicy={"response": "infinity", "idle": "5m"})]
            }
        },
        id="configured-class-and-idle-timeout",
    ),
]


@pytest.mark.parametrize(("ing", "options", "expected"), ROWS)
def test_httpproxies(
    ing: ClusterIngress, options: dict[str, Any], expected: dict[str, Any]
) -> None:
    translation = run_translate(
        ing,
        services=(H2C_SERVICE, APP_PROTOCOL_SERVICE, NAMED_PORT_SERVICE),
        **options,
    )
    got = proxies_by_host(translation)
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        assert_subset(got[key]["spec"], want, f"{key}: spec")


def test_probe_paths_become_routes_ahead_of_their_paths() -> None:
    translation = run_translate(simple_ingress(), probe=True)
    (proxy,) = proxies_by_host(translation).values()
    probe_route, base_route = proxy["spec"]["routes"]
    assert probe_route["conditions"] == [
        {"prefix": "/"},
        {"header": {"name": "K-Network-Hash", "exact": "override"}},
    ]
    (hash_header,) = probe_route["requestHeadersPolicy"]["set"]
    assert hash_header["name"] == "K-Network-Hash" and len(hash_header["value"]) == 64
    assert base_route["conditions"] == [{"prefix": "/"}]
    assert "requestHeadersPolicy" not in base_route


def test_metadata_class_annotation_and_ingress_label() -> None:
    translation = run_translate(
        ingress(
            "route-a",
            namespace="team",
            rules=[
                rule(["a.example.com"], paths=[path(splits=[split("s", namespace="team")])]),
                rule(
                    ["a.team.svc.cluster.local"],
                    visibility=Visibility.CLUSTER_LOCAL,
                    paths=[path(splits=[split("s", namespace="team")])],
                ),
            ],
        )
    )
    for obj in translation.objects:
        meta = obj["metadata"]
        assert obj["apiVersion"] == "projectcontour.io/v1"
        assert meta["namespace"] == "team"
        assert meta["labels"] == {INGRESS_LABEL: "route-a"}
        assert (
            meta["annotations"]["projectcontour.io/ingress.class"]
            == obj["spec"]["ingressClassName"]
        )
        assert meta["name"].startswith("route-a-")


def test_cross_namespace_secret_gets_one_delegation_per_namespace() -> None:
    translation = run_translate(
        ingress(
            rules=[
                rule(
                    ["a.example.com", "b.example.com", "c.example.com"],
                    paths=[path(splits=[split("s")])],
                )
            ],
            tls_entries=[
                tls(["a.example.com"], "cert-a", namespace="certs"),
                tls(["b.example.com"], "cert-b", namespace="certs"),
                tls(["c.example.com"], "cert-c", namespace="default"),
                tls(["unused.example.com"], "unused", namespace="elsewhere"),
            ],
        )
    )
    delegations = [o for o in translation.objects if o["kind"] == "TLSCertificateDelegation"]
    assert translation.objects[0] is delegations[0], "delegations come before the proxies"
    (delegation,) = delegations
    assert delegation["metadata"]["namespace"] == "certs"
    assert delegation["metadata"]["labels"] == {
        INGRESS_LABEL: "hello",
        "contour.networking.knative.dev/parent-namespace": "default",
    }
    assert delegation["spec"] == {
        "delegations": [
            {"secretName": "cert-a", "targetNamespaces": ["default"]},
            {"secretName": "cert-b", "targetNamespaces": ["default"]},
        ]
    }
    secrets = {
        p["spec"]["virtualhost"]["fqdn"]: p["spec"]["virtualhost"]["tls"]["secretName"]
        for p in translation.objects
        if p["kind"] == "HTTPProxy"
    }
    assert secrets == {
        "a.example.com": "certs/cert-a",
        "b.example.com": "certs/cert-b",
        "c.example.com": "cert-c",
    }


@pytest.mark.parametrize(
    ("config", "public", "private"),
    [
        pytest.param(
            {},
            "envoy.contour-external.svc.cluster.local",
            "envoy.contour-internal.svc.cluster.local",
            id="defaults",
        ),
        pytest.param(
            {"external-service": "gw/public-envoy", "internal-service": "gw/private-envoy"},
            "public-envoy.gw.svc.cluster.local",
            "private-envoy.gw.svc.cluster.local",
            id="configured",
        ),
    ],
)
def test_load_balancers(config: dict[str, str], public: str, private: str) -> None:
    translation = run_translate(simple_ingress(), config=config)
    assert [lb.domain_internal for lb in translation.public_load_balancer.ingress] == [public]
    assert [lb.domain_internal for lb in translation.private_load_balancer.ingress] == [private]


def test_names_are_shortened_unique_and_valid() -> None:
    hosts = [f"{LONG_HOST.replace('example', f'ex{i}')}" for i in range(5)]
    translation = run_translate(
        ingress(
            "a-route-name-that-is-already-quite-long-on-its-own",
            rules=[rule(hosts, paths=[path(splits=[split("s")])])],
        )
    )
    names = [o["metadata"]["name"] for o in translation.objects]
    assert len(set(names)) == len(hosts)
    for name in names:
        assert len(name) <= 63
        assert name.startswith("a-route-name-that-is-already-quite-long-on-its-own-")
        assert name[-11] == "-" and all(c in "0123456789abcdef" for c in name[-10:])
