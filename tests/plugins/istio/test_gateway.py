"""Builder tests for TLS: the per-ingress Gateway, its servers and the HTTP redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kingress import ClusterIngress, HTTPOption, NotSupported, Translation, Visibility
from kingress.testing import ingress, path, rule, split, tls

Object = dict[str, Any]
Translate = Callable[..., Translation]
GW_NS = "istio-system"
EXTERNAL_GW = "knative-serving/knative-ingress-gateway"


def gateway(translation: Translation) -> Object | None:
    found = [obj for obj in translation.objects if obj["kind"] == "Gateway"]
    assert len(found) <= 1
    return found[0] if found else None


def ingress_vs(translation: Translation) -> Object:
    return next(obj for obj in translation.objects if obj["metadata"]["name"].endswith("-ingress"))


def tls_ingress(
    tls_entries: list[Any],
    http_option: str = "",
    hosts: tuple[str, ...] = ("a.example.com", "b.example.com"),
) -> ClusterIngress:
    return ingress(
        rules=[
            rule(list(hosts), paths=[path(splits=[split("a")])]),
            rule(
                ["a.default.svc.cluster.local"],
                visibility=Visibility.CLUSTER_LOCAL,
                paths=[path(splits=[split("a")])],
            ),
        ],
        tls_entries=tls_entries,
        http_option=http_option,
    )


def summary(server: Object) -> tuple[Any, ...]:
    tls_settings = server["tls"]
    return (
        server["port"]["number"],
        server["port"]["protocol"],
        tuple(server["hosts"]),
        tls_settings.get("credentialName")
        or ("redirect" if tls_settings.get("httpsRedirect") else None),
    )


@pytest.mark.parametrize(
    ("case", "want_servers"),
    [
        pytest.param(tls_ingress([]), None, id="no-tls-no-gateway"),
        pytest.param(
            tls_ingress([tls(["a.example.com"], "cert-a", GW_NS)]),
            [(443, "HTTPS", ("a.example.com",), "cert-a")],
            id="one-entry",
        ),
        pytest.param(
            tls_ingress([tls([], "wildcard", GW_NS)]),
            [(443, "HTTPS", ("a.example.com", "b.example.com"), "wildcard")],
            id="entry-without-hosts-covers-external-hosts",
        ),
        pytest.param(
            tls_ingress(
                [tls(["b.example.com"], "cert-b", GW_NS), tls(["a.example.com"], "cert-a", GW_NS)]
            ),
            [
                (443, "HTTPS", ("b.example.com",), "cert-b"),
                (443, "HTTPS", ("a.example.com",), "cert-a"),
            ],
            id="one-server-per-entry-in-spec-order",
        ),
        pytest.param(
            tls_ingress([tls(["a.example.com"], "cert-a", GW_NS)], HTTPOption.ENABLED),
            [(443, "HTTPS", ("a.example.com",), "cert-a")],
            id="enabled-keeps-plain-http-on-shared-gateway",
        ),
        pytest.param(
            tls_ingress([tls(["a.example.com"], "cert-a", GW_NS)], HTTPOption.REDIRECTED),
            [
                (443, "HTTPS", ("a.example.com",), "cert-a"),
                (80, "HTTP", ("a.example.com",), "redirect"),
            ],
            id="redirected-redirects-certified-hosts-only",
        ),
        pytest.param(
            tls_ingress([tls([], "wildcard", GW_NS)], HTTPOption.REDIRECTED),
            [
                (443, "HTTPS", ("a.example.com", "b.example.com"), "wildcard"),
                (80, "HTTP", ("a.example.com", "b.example.com"), "redirect"),
            ],
            id="redirected-all-external-hosts",
        ),
        pytest.param(tls_ingress([], HTTPOption.REDIRECTED), None, id="redirected-without-tls"),
        pytest.param(
            ingress(
                rules=[
                    rule(
                        ["a.default.svc.cluster.local"],
                        visibility=Visibility.CLUSTER_LOCAL,
                        paths=[path(splits=[split("a")])],
                    )
                ],
                tls_entries=[tls([], "cert", GW_NS)],
            ),
            None,
            id="hostless-entry-without-external-rules",
        ),
    ],
)
def test_tls_gateway_servers(
    translate: Translate, case: ClusterIngress, want_servers: list[tuple[Any, ...]] | None
) -> None:
    found = gateway(translate(case))
    if want_servers is None:
        assert found is None
        return
    assert found is not None
    assert [summary(server) for server in found["spec"]["servers"]] == want_servers
    names = [server["port"]["name"] for server in found["spec"]["servers"]]
    assert len(set(names)) == len(names), "port names must be unique within a Gateway"
    for server in found["spec"]["servers"]:
        if server["port"]["protocol"] == "HTTPS":
            assert server["tls"]["mode"] == "SIMPLE"


def test_gateway_object_and_binding(translate: Translate) -> None:
    translation = translate(tls_ingress([tls(["a.example.com"], "cert-a", GW_NS)]))
    found = gateway(translation)
    assert found is not None
    assert found["apiVersion"] == "networking.istio.io/v1"
    assert found["metadata"]["name"] == "hello-tls"
    assert found["metadata"]["namespace"] == "default"
    assert found["spec"]["selector"] == {"istio": "ingressgateway"}
    assert translation.objects[0] is found, "the Gateway is emitted before the VirtualServices"
    vs = ingress_vs(translation)
    assert vs["spec"]["gateways"] == [
        "default/hello-tls",
        EXTERNAL_GW,
        "knative-serving/knative-local-gateway",
    ]
    external, local = vs["spec"]["http"]
    assert {tuple(m["gateways"]) for m in external["match"]} == {("default/hello-tls", EXTERNAL_GW)}
    assert {tuple(m["gateways"]) for m in local["match"]} == {
        ("knative-serving/knative-local-gateway",)
    }


def test_without_tls_routes_bind_to_the_shared_gateway_only(translate: Translate) -> None:
    vs = ingress_vs(translate(tls_ingress([])))
    assert "default/hello-tls" not in vs["spec"]["gateways"]


def test_selector_and_credential_namespace_come_from_config(translate: Translate) -> None:
    config = {
        "external-gateway-selector": "app=edge, tier=public",
        "external-gateway-service": "edge.gateways.svc.cluster.local",
    }
    found = gateway(translate(tls_ingress([tls([], "cert", "gateways")]), config=config))
    assert found is not None
    assert found["spec"]["selector"] == {"app": "edge", "tier": "public"}


@pytest.mark.parametrize(
    ("case", "field"),
    [
        pytest.param(
            tls_ingress([tls(["a.example.com"], "cert", "default")]),
            r"spec\.tls\[0\]\.secretNamespace",
            id="secret-outside-gateway-namespace",
        ),
        pytest.param(
            tls_ingress(
                [
                    tls(["a.example.com"], "ok", GW_NS),
                    tls(["a.default.svc.cluster.local"], "c", GW_NS),
                ]
            ),
            r"spec\.tls\[1\]\.hosts",
            id="cluster-local-host",
        ),
    ],
)
def test_unsupported_tls_names_the_field(
    translate: Translate, case: ClusterIngress, field: str
) -> None:
    with pytest.raises(NotSupported, match=field):
        translate(case)


@pytest.mark.parametrize(
    ("name", "want"),
    [
        pytest.param("hello", "hello-tls", id="plain"),
        pytest.param("hello.example", None, id="dotted-name-is-made-a-label"),
        pytest.param("x" * 70, None, id="long-name-is-shortened"),
    ],
)
def test_gateway_name_is_a_dns_label_referenced_by_the_vs(
    translate: Translate, name: str, want: str | None
) -> None:
    case = ingress(
        name=name,
        rules=[rule(["a.example.com"], paths=[path(splits=[split("a")])])],
        tls_entries=[tls([], "cert", GW_NS)],
    )
    translation = translate(case)
    found = gateway(translation)
    assert found is not None
    gw_name = found["metadata"]["name"]
    if want is not None:
        assert gw_name == want
    assert len(gw_name) <= 63 and "." not in gw_name
    assert f"default/{gw_name}" in ingress_vs(translation)["spec"]["gateways"]
