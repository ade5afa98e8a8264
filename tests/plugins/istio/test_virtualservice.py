"""Builder tests for the VirtualServices: one table per ClusterIngress feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kingress import (
    BackendService,
    ClusterIngress,
    NotSupported,
    ServicePort,
    Translation,
    TranslationError,
    Visibility,
)
from kingress.testing import ingress, path, rule, simple_ingress, split

Object = dict[str, Any]
Translate = Callable[..., Translation]
LOCAL = Visibility.CLUSTER_LOCAL
EXTERNAL_GW = "knative-serving/knative-ingress-gateway"
LOCAL_GW = "knative-serving/knative-local-gateway"


def by_name(translation: Translation) -> dict[str, Object]:
    return {obj["metadata"]["name"]: obj for obj in translation.objects}


def ingress_routes(translation: Translation, name: str = "hello") -> list[Object]:
    routes: list[Object] = by_name(translation)[f"{name}-ingress"]["spec"]["http"]
    return routes


def exact_authorities(route: Object) -> list[str]:
    return [m["authority"]["exact"] for m in route["match"] if "exact" in m["authority"]]


def one_path(**kwargs: Any) -> ClusterIngress:
    """An ingress with one external rule and one path built from ``kwargs``."""
    kwargs.setdefault("splits", [split("hello")])
    return ingress(rules=[rule(["hello.example.com"], paths=[path(**kwargs)])])


# --- hosts and visibility ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "cluster_domain", "want_hosts", "want_gateways", "want_mesh_hosts"),
    [
        pytest.param(
            [rule(["hello.example.com"], paths=[path(splits=[split("a")])])],
            "cluster.local",
            ["hello.example.com"],
            [EXTERNAL_GW],
            None,
            id="external-single-host",
        ),
        pytest.param(
            [
                rule(
                    ["a.example.com", "b.example.com", "very.long.multi.label.example.com"],
                    paths=[path(splits=[split("a")])],
                )
            ],
            "cluster.local",
            ["a.example.com", "b.example.com", "very.long.multi.label.example.com"],
            [EXTERNAL_GW],
            None,
            id="external-multiple-hosts",
        ),
        pytest.param(
            [
                rule(
                    ["hello.default.svc.cluster.local"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                )
            ],
            "cluster.local",
            ["hello.default", "hello.default.svc", "hello.default.svc.cluster.local"],
            [LOCAL_GW],
            ["hello.default", "hello.default.svc", "hello.default.svc.cluster.local"],
            id="cluster-local-expanded",
        ),
        pytest.param(
            [
                rule(["hello.example.com"], paths=[path(splits=[split("a")])]),
                rule(
                    ["hello.default.svc.cluster.local"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                ),
            ],
            "cluster.local",
            [
                "hello.default",
                "hello.default.svc",
                "hello.default.svc.cluster.local",
                "hello.example.com",
            ],
            [EXTERNAL_GW, LOCAL_GW],
            ["hello.default", "hello.default.svc", "hello.default.svc.cluster.local"],
            id="public-service-both-rules",
        ),
        pytest.param(
            [
                rule(
                    ["hello.default.svc.corp.internal"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                )
            ],
            "corp.internal",
            ["hello.default", "hello.default.svc", "hello.default.svc.corp.internal"],
            [LOCAL_GW],
            ["hello.default", "hello.default.svc", "hello.default.svc.corp.internal"],
            id="custom-cluster-domain",
        ),
        pytest.param(
            [
                rule(
                    ["private.example.internal"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                )
            ],
            "cluster.local",
            ["private.example.internal"],
            [LOCAL_GW],
            None,
            id="cluster-local-non-svc-host-has-no-mesh-vs",
        ),
    ],
)
def test_hosts_and_visibility(
    translate: Translate,
    rules: list[Any],
    cluster_domain: str,
    want_hosts: list[str],
    want_gateways: list[str],
    want_mesh_hosts: list[str] | None,
) -> None:
    objects = by_name(translate(ingress(rules=rules), cluster_domain=cluster_domain))
    spec = objects["hello-ingress"]["spec"]
    assert spec["hosts"] == want_hosts
    assert spec["gateways"] == want_gateways
    mesh = objects.get("hello-mesh")
    if want_mesh_hosts is None:
        assert mesh is None
    else:
        assert mesh is not None
        assert mesh["spec"]["hosts"] == want_mesh_hosts
        assert mesh["spec"]["gateways"] == ["mesh"]
        assert all(m["gateways"] == ["mesh"] for r in mesh["spec"]["http"] for m in r["match"])


@pytest.mark.parametrize(
    ("visibility", "want_gateways"),
    [
        pytest.param(Visibility.EXTERNAL_IP, [EXTERNAL_GW], id="external-on-public-gateway"),
        pytest.param(LOCAL, [LOCAL_GW], id="cluster-local-on-local-gateway-only"),
    ],
)
def test_match_gateways_follow_visibility(
    translate: Translate, visibility: Visibility, want_gateways: list[str]
) -> None:
    host = "hello.default.svc.cluster.local" if visibility == LOCAL else "hello.example.com"
    translation = translate(
        ingress(rules=[rule([host], visibility=visibility, paths=[path(splits=[split("a")])])])
    )
    for route in ingress_routes(translation):
        assert {tuple(m["gateways"]) for m in route["match"]} == {tuple(want_gateways)}


def test_gateways_come_from_config(translate: Translate) -> None:
    config = {"external-gateway": "gw/public", "local-gateway": "gw/private"}
    translation = translate(
        ingress(
            rules=[
                rule(["a.example.com"], paths=[path(splits=[split("a")])]),
                rule(
                    ["a.default.svc.cluster.local"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                ),
            ]
        ),
        config=config,
    )
    routes = ingress_routes(translation)
    assert routes[0]["match"][0]["gateways"] == ["gw/public"]
    assert routes[1]["match"][0]["gateways"] == ["gw/private"]
    assert by_name(translation)["hello-ingress"]["spec"]["gateways"] == ["gw/private", "gw/public"]


@pytest.mark.parametrize(
    ("hosts", "want"),
    [
        pytest.param(
            ["hello.example.com"],
            [{"exact": "hello.example.com"}, {"prefix": "hello.example.com:"}],
            id="bare-host-and-host-with-port",
        ),
        pytest.param(
            ["b.example.com", "a.example.com", "a.example.com"],
            [
                {"exact": "a.example.com"},
                {"prefix": "a.example.com:"},
                {"exact": "b.example.com"},
                {"prefix": "b.example.com:"},
            ],
            id="sorted-and-deduplicated",
        ),
    ],
)
def test_authority_is_matched_exactly(
    translate: Translate, hosts: list[str], want: list[dict[str, str]]
) -> None:
    translation = translate(ingress(rules=[rule(hosts, paths=[path(splits=[split("a")])])]))
    assert [m["authority"] for m in ingress_routes(translation)[0]["match"]] == want


def test_rules_only_answer_for_their_own_hosts(translate: Translate) -> None:
    # "a.example.com" is a string prefix of "a.example.com.au": exact matching keeps them apart.
    translation = translate(
        ingress(
            rules=[
                rule(["a.example.com"], paths=[path(splits=[split("first")])]),
                rule(["a.example.com.au"], paths=[path(splits=[split("second")])]),
            ]
        )
    )
    first, second = ingress_routes(translation)
    assert exact_authorities(first) == ["a.example.com"]
    assert exact_authorities(second) == ["a.example.com.au"]
    assert first["route"][0]["destination"]["host"].startswith("first.")


# --- paths and precedence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "want"),
    [
        pytest.param(
            [path(""), path("/foo"), path("/bar"), path("/baz")],
            ["/foo", "/bar", "/baz", None],
            id="catch-all-last",
        ),
        pytest.param(
            [path("/a"), path("/a/b/c"), path("/a/b")],
            ["/a/b/c", "/a/b", "/a"],
            id="longer-prefix-first",
        ),
        pytest.param(
            [path("/p"), path("/p", match={"X-Tag": "t"})],
            ["/p", "/p"],
            id="same-prefix-header-match-first",
        ),
    ],
)
def test_paths_are_ordered_most_specific_first(
    translate: Translate, paths: list[Any], want: list[str | None]
) -> None:
    paths = [p.model_copy(update={"splits": (split("a"),)}) for p in paths]
    routes = ingress_routes(translate(ingress(rules=[rule(["h.example.com"], paths=paths)])))
    got = [route["match"][0].get("uri", {}).get("prefix") for route in routes]
    assert got == want
    if len(paths) == 2:  # the header-matching path must come first
        assert "headers" in routes[0]["match"][0]
        assert "headers" not in routes[1]["match"][0]


def test_probe_paths_precede_their_base_path(translate: Translate) -> None:
    routes = ingress_routes(translate(simple_ingress(), probe=True))
    assert [sorted(r["match"][0].get("headers", {})) for r in routes] == [["k-network-hash"], []]
    assert routes[0]["match"][0]["headers"]["k-network-hash"] == {"exact": "override"}
    assert list(routes[0]["headers"]["request"]["set"]) == ["K-Network-Hash"]


def test_path_prefix_is_a_uri_prefix(translate: Translate) -> None:
    route = ingress_routes(translate(one_path(prefix="/api")))[0]
    assert all(m["uri"] == {"prefix": "/api"} for m in route["match"])


# --- header matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("match", "want"),
    [
        pytest.param({}, None, id="no-header-match"),
        pytest.param(
            {"Knative-Serving-Tag": "the-tag"},
            {"knative-serving-tag": {"exact": "the-tag"}},
            id="lower-cased-name-exact-value",
        ),
        pytest.param(
            {"X-B": "2", "x-a": "1"},
            {"x-a": {"exact": "1"}, "x-b": {"exact": "2"}},
            id="several-headers-all-required",
        ),
        pytest.param(
            {"X-Same": "v", "x-same": "v"},
            {"x-same": {"exact": "v"}},
            id="same-header-twice-same-value",
        ),
        pytest.param({"X-Case": "MiXeD"}, {"x-case": {"exact": "MiXeD"}}, id="value-keeps-case"),
    ],
)
def test_header_matches(
    translate: Translate, match: dict[str, str], want: dict[str, Any] | None
) -> None:
    for m in ingress_routes(translate(one_path(match=match)))[0]["match"]:
        assert m.get("headers") == want


def test_header_names_clashing_after_lower_casing_are_an_error(translate: Translate) -> None:
    with pytest.raises(TranslationError, match=r"spec\.rules\[0\]\.http\.paths\[0\]\.headers"):
        translate(one_path(match={"X-Same": "a", "x-same": "b"}))


# --- splits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("splits", "want"),
    [
        pytest.param([split("a")], [("a", 100)], id="single"),
        pytest.param([split("a", 90), split("b", 10)], [("a", 90), ("b", 10)], id="two-way"),
        pytest.param([split("a", 0), split("b", 100)], [("b", 100)], id="zero-percent-dropped"),
        pytest.param(
            [split(f"s{i}", p) for i, p in enumerate([1, 2, 4, 8, 16, 32, 37, 0, 0, 0])],
            [(f"s{i}", p) for i, p in enumerate([1, 2, 4, 8, 16, 32, 37])],
            id="ten-way-with-zeros",
        ),
        pytest.param(
            [split(f"s{i}", 25) for i in range(4)],
            [(f"s{i}", 25) for i in range(4)],
            id="four-way-even",
        ),
    ],
)
def test_splits_become_weighted_destinations(
    translate: Translate, splits: list[Any], want: list[tuple[str, int]]
) -> None:
    route = ingress_routes(translate(one_path(splits=splits)))[0]
    got = [(d["destination"]["host"].split(".")[0], d["weight"]) for d in route["route"]]
    assert got == want
    assert sum(weight for _, weight in got) == 100


@pytest.mark.parametrize(
    ("cluster_domain", "port", "services", "want"),
    [
        pytest.param(
            "cluster.local", 80, (), ("hello.default.svc.cluster.local", 80), id="numeric-port"
        ),
        pytest.param(
            "corp.internal", 8080, (), ("hello.default.svc.corp.internal", 8080), id="domain"
        ),
        pytest.param(
            "cluster.local", "81", (), ("hello.default.svc.cluster.local", 81), id="digits"
        ),
        pytest.param(
            "cluster.local",
            "http2",
            (
                BackendService(
                    namespace="default",
                    name="hello",
                    ports=(ServicePort(name="http", port=80), ServicePort(name="http2", port=81)),
                ),
            ),
            ("hello.default.svc.cluster.local", 81),
            id="named-port-from-service",
        ),
    ],
)
def test_destination_host_and_port(
    translate: Translate,
    cluster_domain: str,
    port: int | str,
    services: tuple[BackendService, ...],
    want: tuple[str, int],
) -> None:
    translation = translate(
        one_path(splits=[split("hello", port=port)]),
        services=services,
        cluster_domain=cluster_domain,
    )
    destination = ingress_routes(translation)[0]["route"][0]["destination"]
    assert (destination["host"], destination["port"]["number"]) == want


@pytest.mark.parametrize(
    ("services", "message"),
    [
        pytest.param((), "which was not found", id="service-missing"),
        pytest.param(
            (BackendService(namespace="default", name="hello", ports=(ServicePort(port=80),)),),
            "has no port named 'grpc'",
            id="port-name-unknown",
        ),
    ],
)
def test_named_port_that_cannot_be_resolved_is_an_error(
    translate: Translate, services: tuple[BackendService, ...], message: str
) -> None:
    with pytest.raises(TranslationError, match=r"paths\[0\]\.splits\[0\]\.servicePort") as error:
        translate(one_path(splits=[split("hello", port="grpc")]), services=services)
    assert message in str(error.value)


# --- request headers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pre", "post", "want_pre", "want_post"),
    [
        pytest.param({}, [{}, {}], None, [None, None], id="none"),
        pytest.param(
            {"Foo-Bar-Baz": "name"},
            [{}, {}],
            {"request": {"set": {"Foo-Bar-Baz": "name"}}},
            [None, None],
            id="pre-split-set",
        ),
        pytest.param(
            {},
            [{"Knative-Serving-Revision": "a"}, {"Knative-Serving-Revision": "b"}],
            None,
            [
                {"request": {"set": {"Knative-Serving-Revision": "a"}}},
                {"request": {"set": {"Knative-Serving-Revision": "b"}}},
            ],
            id="post-split-set-per-destination",
        ),
        pytest.param(
            {"Z": "1", "A": "2"},
            [{"Y": "3", "B": "4"}, {}],
            {"request": {"set": {"A": "2", "Z": "1"}}},
            [{"request": {"set": {"B": "4", "Y": "3"}}}, None],
            id="both-sorted",
        ),
    ],
)
def test_pre_and_post_split_headers_are_set(
    translate: Translate,
    pre: dict[str, str],
    post: list[dict[str, str]],
    want_pre: Object | None,
    want_post: list[Object | None],
) -> None:
    splits = [split(f"s{i}", 50, headers=headers) for i, headers in enumerate(post)]
    route = ingress_routes(translate(one_path(headers=pre, splits=splits)))[0]
    assert route.get("headers") == want_pre
    assert [d.get("headers") for d in route["route"]] == want_post
    assert all("add" not in (h or {}).get("request", {}) for h in [want_pre, *want_post])


# --- host rewrite -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rewrite", "want"),
    [
        pytest.param("", None, id="no-rewrite"),
        pytest.param(
            "private.default.svc.cluster.local",
            {"authority": "private.default.svc.cluster.local"},
            id="rewrite-authority",
        ),
    ],
)
def test_rewrite_host(translate: Translate, rewrite: str, want: Object | None) -> None:
    assert ingress_routes(translate(one_path(rewrite_host=rewrite)))[0].get("rewrite") == want


@pytest.mark.parametrize(
    ("pre", "post", "field"),
    [
        pytest.param({"Host": "x"}, {}, r"paths\[0\]\.appendHeaders", id="pre-split-host"),
        pytest.param(
            {}, {":authority": "x"}, r"paths\[0\]\.splits\[0\]\.appendHeaders", id="post-split"
        ),
    ],
)
def test_rewrite_host_with_host_header_is_an_error(
    translate: Translate, pre: dict[str, str], post: dict[str, str], field: str
) -> None:
    with pytest.raises(TranslationError, match=field):
        translate(
            one_path(
                rewrite_host="target.example.com", headers=pre, splits=[split("a", headers=post)]
            )
        )


# --- retries, timeouts, protocols -------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(simple_ingress(), id="simple"),
        pytest.param(one_path(prefix="/x", splits=[split("a", 50), split("b", 50)]), id="split"),
    ],
)
def test_retries_disabled_and_no_timeout(translate: Translate, case: ClusterIngress) -> None:
    translation = translate(case, probe=True)
    routes = [
        r
        for obj in translation.objects
        if obj["kind"] == "VirtualService"
        for r in obj["spec"]["http"]
    ]
    assert routes
    for route in routes:
        assert route["retries"] == {"attempts": 0}
        assert "timeout" not in route


def test_h2c_ports_need_nothing_emitted(translate: Translate) -> None:
    # Istio picks HTTP/2 upstream from the Service port (name http2/grpc, appProtocol):
    # the translation is the same whether or not the port is h2c.
    h2c = BackendService(
        namespace="default",
        name="hello",
        ports=(ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c"),),
    )
    http1 = BackendService(
        namespace="default", name="hello", ports=(ServicePort(name="http", port=81),)
    )
    case = one_path(splits=[split("hello", port=81)])
    assert h2c.ports[0].is_h2c and not http1.ports[0].is_h2c
    assert translate(case, services=(h2c,)) == translate(case, services=(http1,))
    assert translate(case, services=(h2c,)) == translate(case)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "error", "field"),
    [
        pytest.param(
            ingress(rules=[rule(["*.example.com"], paths=[path(splits=[split("a")])])]),
            NotSupported,
            r"spec\.rules\[0\]\.hosts\[0\]",
            id="wildcard-host",
        ),
        pytest.param(
            ingress(rules=[rule(["a.example.com:8080"], paths=[path(splits=[split("a")])])]),
            TranslationError,
            r"spec\.rules\[0\]\.hosts\[0\]",
            id="host-with-port",
        ),
        pytest.param(
            ingress(rules=[rule([], paths=[path(splits=[split("a")])])]),
            TranslationError,
            r"spec\.rules\[0\]\.hosts",
            id="no-hosts",
        ),
        pytest.param(
            ingress(rules=[rule(["a.example.com"], paths=[path("api", splits=[split("a")])])]),
            TranslationError,
            r"spec\.rules\[0\]\.http\.paths\[0\]\.path",
            id="path-without-slash",
        ),
        pytest.param(
            ingress(
                rules=[
                    rule(["a.example.com"], paths=[path("/ok", splits=[split("a")])]),
                    rule(["b.example.com"], paths=[path(splits=[split("a", 0), split("b", 0)])]),
                ]
            ),
            TranslationError,
            r"spec\.rules\[1\]\.http\.paths\[0\]\.splits",
            id="no-positive-split",
        ),
        pytest.param(
            simple_ingress().model_copy(
                update={
                    "metadata": simple_ingress().metadata.model_copy(update={"namespace": None})
                }
            ),
            TranslationError,
            r"metadata\.namespace",
            id="no-namespace",
        ),
    ],
)
def test_untranslatable_ingresses_name_the_field(
    translate: Translate, case: ClusterIngress, error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        translate(case)


def test_error_names_the_spec_index_not_the_sorted_position(translate: Translate) -> None:
    # paths[1] is emitted first (longer prefix); the error must still say paths[1].
    case = ingress(
        rules=[
            rule(
                ["a.example.com"],
                paths=[path(splits=[split("a")]), path("/x", splits=[split("b", port="named")])],
            )
        ]
    )
    with pytest.raises(TranslationError, match=r"paths\[1\]\.splits\[0\]\.servicePort"):
        translate(case)


# --- objects and load balancers ---------------------------------------------------------------


def test_objects_live_in_the_ingress_namespace_with_its_label(translate: Translate) -> None:
    translation = translate(simple_ingress(namespace="team-a", service="hello"))
    for obj in translation.objects:
        assert obj["apiVersion"] == "networking.istio.io/v1"
        assert obj["metadata"]["namespace"] == "team-a"
        assert obj["metadata"]["labels"] == {"networking.internal.knative.dev/ingress": "hello"}


@pytest.mark.parametrize(
    ("config", "cluster_domain", "public", "private"),
    [
        pytest.param(
            {},
            "cluster.local",
            "istio-ingressgateway.istio-system.svc.cluster.local",
            "knative-local-gateway.istio-system.svc.cluster.local",
            id="defaults",
        ),
        pytest.param(
            {},
            "corp.internal",
            "istio-ingressgateway.istio-system.svc.corp.internal",
            "knative-local-gateway.istio-system.svc.corp.internal",
            id="defaults-follow-cluster-domain",
        ),
        pytest.param(
            {
                "external-gateway-service": "public-gw.gateways.svc.cluster.local",
                "local-gateway-service": "private-gw.gateways.svc.cluster.local",
            },
            "cluster.local",
            "public-gw.gateways.svc.cluster.local",
            "private-gw.gateways.svc.cluster.local",
            id="configured",
        ),
    ],
)
def test_load_balancers_are_the_gateway_services(
    translate: Translate, config: dict[str, str], cluster_domain: str, public: str, private: str
) -> None:
    translation = translate(simple_ingress(), config=config, cluster_domain=cluster_domain)
    assert [lb.domain_internal for lb in translation.public_load_balancer.ingress] == [public]
    assert [lb.domain_internal for lb in translation.private_load_balancer.ingress] == [private]
