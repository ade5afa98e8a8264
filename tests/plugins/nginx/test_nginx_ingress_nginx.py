"""Table-driven tests of the ingress-nginx translation: every feature and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from kingress import (
    ClusterIngress,
    NotSupported,
    TranslateContext,
    TranslationError,
    Visibility,
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
from kingress_nginx import IngressNginxBackend
from kingress_nginx.names import route_key

HOST = "hello.example.com"
LOCAL = "hello.default.svc.cluster.local"
PREFIX = "nginx.ingress.kubernetes.io/"
CONTEXT = translate_context(services=[backend_service(n) for n in ("hello", "v1", "v2", "v3")])
BASE_ANNOTATIONS = {
    PREFIX + "proxy-next-upstream": "off",
    PREFIX + "proxy-next-upstream-tries": "1",
    PREFIX + "proxy-read-timeout": "3600",
    PREFIX + "proxy-send-timeout": "3600",
}

Obj = dict[str, Any]


def translate(ing: ClusterIngress, context: TranslateContext = CONTEXT) -> list[Obj]:
    return list(IngressNginxBackend().translate(insert_probe(ing)[0], context).objects)


def by_name(objects: list[Obj]) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in objects}


def key(
    hosts: tuple[str, ...] = (HOST,), location: str = "/", vis: Visibility = Visibility.EXTERNAL_IP
) -> str:
    return route_key(vis, hosts, location)


def rules(hosts: tuple[str, ...], location: str, service: str, port: Obj) -> list[Obj]:
    return [
        {
            "host": h,
            "http": {
                "paths": [
                    {
                        "path": location,
                        "pathType": "ImplementationSpecific",
                        "backend": {"service": {"name": service, "port": port}},
                    }
                ]
            },
        }
        for h in hosts
    ]


def test_basics() -> None:
    objects = translate(simple_ingress())
    assert objects == [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": f"hello-{key()}",
                "namespace": "default",
                "labels": {"networking.internal.knative.dev/ingress": "hello"},
                "annotations": BASE_ANNOTATIONS,
            },
            "spec": {
                "ingressClassName": "nginx",
                "rules": rules((HOST,), "/", "hello", {"number": 80}),
            },
        }
    ]


def test_probe_paths_are_dropped() -> None:
    with_probe = IngressNginxBackend().translate(insert_probe(simple_ingress())[0], CONTEXT)
    without = IngressNginxBackend().translate(simple_ingress(), CONTEXT)
    assert with_probe.objects == without.objects


def test_two_way_split_uses_a_canary_with_dedicated_services() -> None:
    ing = ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", 30), split("v2", 70)])])])
    objects = by_name(translate(ing))
    k = key()
    assert sorted(objects) == [
        f"hello-{k}",
        f"hello-{k}-alternative",
        f"hello-{k}-canary",
        f"hello-{k}-primary",
    ]
    primary = objects[f"hello-{k}"]
    canary = objects[f"hello-{k}-canary"]
    assert primary["spec"]["rules"] == rules((HOST,), "/", f"hello-{k}-primary", {"number": 80})
    assert canary["spec"]["rules"] == rules((HOST,), "/", f"hello-{k}-alternative", {"number": 80})
    assert canary["metadata"]["annotations"] == {
        PREFIX + "canary": "true",
        PREFIX + "canary-weight": "70",
    }
    assert primary["metadata"]["annotations"] == BASE_ANNOTATIONS
    services = {o["metadata"]["name"]: o for o in objects.values() if o["kind"] == "Service"}
    assert services[f"hello-{k}-primary"]["spec"] == {
        "type": "ExternalName",
        "externalName": "v1.default.svc.cluster.local",
        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
    }
    assert (
        services[f"hello-{k}-alternative"]["spec"]["externalName"] == "v2.default.svc.cluster.local"
    )


def test_zero_percent_split_needs_no_canary() -> None:
    ing = ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", 0), split("v2", 100)])])])
    [obj] = translate(ing)
    assert obj["spec"]["rules"] == rules((HOST,), "/", "v2", {"number": 80})


def test_header_match_uses_a_header_canary() -> None:
    ing = ingress(
        rules=[
            rule(
                [HOST],
                paths=[
                    path(match={"Knative-Serving-Tag": "the-tag"}, splits=[split("v1")]),
                    path(splits=[split("v2")]),
                ],
            )
        ]
    )
    objects = by_name(translate(ing))
    k = key()
    canary = objects[f"hello-{k}-canary"]
    assert canary["kind"] == "Ingress"
    assert canary["metadata"]["annotations"] == {
        PREFIX + "canary": "true",
        PREFIX + "canary-by-header": "Knative-Serving-Tag",
        PREFIX + "canary-by-header-value": "the-tag",
    }
    assert canary["spec"]["rules"] == rules((HOST,), "/", f"hello-{k}-alternative", {"number": 80})
    primary = objects[f"hello-{k}"]
    assert primary["spec"]["rules"] == rules((HOST,), "/", f"hello-{k}-primary", {"number": 80})
    externals = {n: o["spec"]["externalName"] for n, o in objects.items() if o["kind"] == "Service"}
    assert externals == {
        f"hello-{k}-alternative": "v1.default.svc.cluster.local",
        f"hello-{k}-primary": "v2.default.svc.cluster.local",
    }


def test_paths_become_locations_longest_first() -> None:
    ing = ingress(
        rules=[
            rule(
                [HOST],
                paths=[path("/foo", splits=[split("v1")]), path(splits=[split("v2")])],
            )
        ]
    )
    objects = by_name(translate(ing))
    assert objects[f"hello-{key(location='/foo')}"]["spec"]["rules"] == rules(
        (HOST,), "/foo", "v1", {"number": 80}
    )
    assert objects[f"hello-{key()}"]["spec"]["rules"] == rules((HOST,), "/", "v2", {"number": 80})


def test_rewrite_host_is_upstream_vhost() -> None:
    ing = ingress(
        rules=[rule(["vanity.example.com"], paths=[path(rewrite_host=LOCAL, splits=[split("v1")])])]
    )
    [obj] = translate(ing)
    assert obj["metadata"]["annotations"] == {**BASE_ANNOTATIONS, PREFIX + "upstream-vhost": LOCAL}


def test_h2c_sets_grpc_backend_protocol() -> None:
    ing = ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", port=81)])])])
    [obj] = translate(ing)
    assert obj["metadata"]["annotations"][PREFIX + "backend-protocol"] == "GRPC"


def test_h2c_canary_service_port() -> None:
    ing = ingress(
        rules=[
            rule([HOST], paths=[path(splits=[split("v1", 50, port=81), split("v2", 50, port=81)])])
        ]
    )
    services = [o for o in translate(ing) if o["kind"] == "Service"]
    assert {s["spec"]["ports"][0]["appProtocol"] for s in services} == {"kubernetes.io/h2c"}


def test_cluster_local_uses_internal_class_and_expanded_hosts() -> None:
    ing = ingress(
        rules=[
            rule([LOCAL], visibility=Visibility.CLUSTER_LOCAL, paths=[path(splits=[split("v1")])])
        ]
    )
    [obj] = translate(ing)
    hosts = ("hello.default", "hello.default.svc", LOCAL)
    assert obj["spec"] == {
        "ingressClassName": "nginx-internal",
        "rules": rules(hosts, "/", "v1", {"number": 80}),
    }
    assert obj["metadata"]["name"] == f"hello-{key(hosts, vis=Visibility.CLUSTER_LOCAL)}"


@pytest.mark.parametrize(
    ("option", "redirect"),
    [
        pytest.param("Enabled", "false", id="enabled"),
        pytest.param("Redirected", "true", id="redirected"),
    ],
)
def test_tls_and_http_option(option: str, redirect: str) -> None:
    ing = ingress(
        rules=[rule([HOST, "plain.example.com"], paths=[path(splits=[split("v1")])])],
        tls_entries=[tls([HOST], "cert")],
        http_option=option,
    )
    [obj] = translate(ing)
    assert obj["spec"]["tls"] == [{"hosts": [HOST], "secretName": "cert"}]
    assert obj["metadata"]["annotations"][PREFIX + "ssl-redirect"] == redirect


def test_named_port_without_canary_is_kept() -> None:
    ing = ingress(rules=[rule([HOST], paths=[path(splits=[split("v1", port="http")])])])
    [obj] = translate(ing)
    assert obj["spec"]["rules"] == rules((HOST,), "/", "v1", {"name": "http"})


def test_configured_classes_and_timeout() -> None:
    context = TranslateContext(
        config={
            "ingress-class": "public",
            "internal-ingress-class": "private",
            "proxy-timeout": "90",
        },
        services=CONTEXT.services,
    )
    [obj] = translate(simple_ingress(), context)
    assert obj["spec"]["ingressClassName"] == "public"
    assert obj["metadata"]["annotations"][PREFIX + "proxy-read-timeout"] == "90"
    translation = IngressNginxBackend().translate(simple_ingress(), context)
    assert translation.public_load_balancer.ingress[0].domain_internal == (
        "ingress-nginx-controller.ingress-nginx.svc.cluster.local"
    )


def four_way() -> list[Any]:
    return [split(f"v{i}", 25) for i in (1, 2, 3)] + [split("hello", 25)]


@pytest.mark.parametrize(
    ("ing", "message"),
    [
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(splits=four_way())])]),
            "spec.rules[0].http.paths[0].splits: ingress-nginx supports at most 2 splits, got 4",
            id="more-than-two-splits",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(match={"A": "1", "B": "2"}, splits=[split("v1")])])]
            ),
            "spec.rules[0].http.paths[0].headers: ingress-nginx matches at most 1 header per host "
            "and path, got 2",
            id="two-headers-on-a-path",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"A": "1"}, splits=[split("v1")]),
                            path(match={"B": "2"}, splits=[split("v2")]),
                            path(splits=[split("v3")]),
                        ],
                    )
                ]
            ),
            "spec.rules[0].http.paths[1].headers: ingress-nginx supports one header-matched path "
            "per host and path prefix; spec.rules[0].http.paths[0] already is the one for '/'",
            id="two-header-paths-per-location",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(headers={"Foo": "bar"}, splits=[split("v1")])])]
            ),
            "spec.rules[0].http.paths[0].appendHeaders: ingress-nginx cannot set request headers "
            "without snippet annotations",
            id="pre-split-headers",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(splits=[split("v1", headers={"Foo": "bar"})])])]
            ),
            "spec.rules[0].http.paths[0].splits[0].appendHeaders: ingress-nginx cannot set "
            "headers after the split",
            id="post-split-headers",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"A": "1"}, splits=[split("v1")]),
                            path(splits=[split("v2", 50), split("v3", 50)]),
                        ],
                    )
                ]
            ),
            "spec.rules[0].http.paths[1].splits: ingress-nginx cannot combine a header match "
            "with a weighted split",
            id="header-and-weights",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"A": "1"}, splits=[split("v2", 50), split("v3", 50)]),
                            path(splits=[split("v1")]),
                        ],
                    )
                ]
            ),
            "spec.rules[0].http.paths[0].splits: ingress-nginx cannot combine a header match "
            "with a weighted split",
            id="weighted-header-path",
        ),
        pytest.param(
            ingress(rules=[rule([HOST], paths=[path(match={"A": "1"}, splits=[split("v1")])])]),
            "spec.rules[0].http.paths[0]: ingress-nginx needs a path without header matches for "
            "the other requests to '/'",
            id="header-path-without-fallback",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(
                                match={"A": "1"}, rewrite_host="x.example.com", splits=[split("v1")]
                            ),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            "spec.rules[0].http.paths[0].rewriteHost: an ingress-nginx canary inherits the Host "
            "rewrite of spec.rules[0].http.paths[1]",
            id="canary-rewrite-differs",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule([HOST], paths=[path(splits=[split("v1", 50, port=81), split("v2", 50)])])
                ]
            ),
            "spec.rules[0].http.paths[0].splits[1].servicePort: an ingress-nginx canary inherits "
            "the backend protocol of spec.rules[0].http.paths[0].splits[0], and only one of them "
            "is h2c",
            id="mixed-protocols",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        [HOST],
                        paths=[
                            path(match={"A": ""}, splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            "spec.rules[0].http.paths[0].headers[A]: ingress-nginx cannot match an empty header "
            "value",
            id="empty-header-value",
        ),
        pytest.param(
            ingress(
                rules=[rule([HOST], paths=[path(splits=[split("v1")])])],
                tls_entries=[tls([HOST], "cert", namespace="elsewhere")],
            ),
            "spec.tls[0].secretNamespace: NGINX can only use a TLS Secret in the ingress's "
            "namespace 'default', got 'elsewhere'",
            id="tls-secret-elsewhere",
        ),
    ],
)
def test_not_supported(ing: ClusterIngress, message: str) -> None:
    with pytest.raises(TranslationError) as raised:
        translate(ing)
    assert str(raised.value).startswith(message), str(raised.value)


def test_unsupported_features_raise_not_supported() -> None:
    ing = ingress(rules=[rule([HOST], paths=[path(splits=four_way())])])
    with pytest.raises(NotSupported) as raised:
        translate(ing)
    assert raised.value.reason == "NotSupported"


def test_zero_splits_do_not_count_towards_the_limit() -> None:
    ing = ingress(
        rules=[
            rule([HOST], paths=[path(splits=[split("v1", 60), split("v2", 40), split("v3", 0)])])
        ]
    )
    kinds = sorted(o["kind"] for o in translate(ing))
    assert kinds == ["Ingress", "Ingress", "Service", "Service"]


def test_canary_service_needs_a_port_number() -> None:
    ing = ingress(
        rules=[rule([HOST], paths=[path(splits=[split("v1", 50, port="web"), split("v2", 50)])])]
    )
    with pytest.raises(TranslationError) as raised:
        translate(ing)
    assert "splits[0].servicePort: port 'web' is not a port of Service default/v1" in str(
        raised.value
    )
