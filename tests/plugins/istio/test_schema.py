"""Every emitted object validates against the upstream Istio CRD schemas.

The CRDs are test fixtures outside the project (``../shared/crds`` or
``$KINGRESS_CRD_DIR``); when they are absent the tests skip with the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kingress import BackendService, ClusterIngress, ServicePort, Translation, Visibility
from kingress.schemas import SchemaUnavailable, schema_errors
from kingress.testing import ingress, path, rule, simple_ingress, split, tls

Object = dict[str, Any]
Translate = Callable[..., Translation]
LOCAL = Visibility.CLUSTER_LOCAL
GW_NS = "istio-system"

CASES = [
    pytest.param(simple_ingress(), id="basics"),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["a.example.com", "b.example.com", "a.very.long.multi.label.example.com"],
                    paths=[path(splits=[split("a")])],
                )
            ]
        ),
        id="hosts-multiple",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["p.example.com"],
                    paths=[
                        path("/foo", splits=[split("foo", headers={"Who": "foo"})]),
                        path("/bar", splits=[split("bar", headers={"Who": "bar"})]),
                        path(splits=[split("all", headers={"Who": "all"})]),
                    ],
                )
            ]
        ),
        id="dispatch-path",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["pct.example.com"],
                    paths=[
                        path(
                            splits=[
                                split(f"s{i}", p)
                                for i, p in enumerate([1, 2, 4, 8, 16, 32, 37, 0, 0, 0])
                            ]
                        )
                    ],
                )
            ]
        ),
        id="dispatch-percentage",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["h.example.com"],
                    paths=[
                        path(
                            headers={"Foo-Bar-Baz": "pre"},
                            splits=[split(f"s{i}", 25, headers={"Post": str(i)}) for i in range(4)],
                        )
                    ],
                )
            ]
        ),
        id="headers-pre-and-post-split",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["tags.example.com"],
                    paths=[
                        path(match={"Knative-Serving-Tag": "the-tag"}, splits=[split("tagged")]),
                        path(splits=[split("default")]),
                    ],
                )
            ]
        ),
        id="headers-tags",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["x.default.svc.cluster.local"],
                    visibility=LOCAL,
                    paths=[path("/p", splits=[split("a", 50), split("b", 50)])],
                )
            ]
        ),
        id="visibility",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(
                    ["vanity.example.com"],
                    paths=[
                        path(
                            rewrite_host="private.default.svc.cluster.local",
                            splits=[split("private-ext", headers={"K-Original-Host": "vanity"})],
                        )
                    ],
                )
            ]
        ),
        id="host-rewrite",
    ),
    pytest.param(
        ingress(
            rules=[
                rule(["tls.example.com"], paths=[path(splits=[split("a")])]),
                rule(
                    ["tls.default.svc.cluster.local"],
                    visibility=LOCAL,
                    paths=[path(splits=[split("a")])],
                ),
            ],
            tls_entries=[tls(["tls.example.com"], "cert", GW_NS)],
            http_option="Enabled",
        ),
        id="tls",
    ),
    pytest.param(
        ingress(
            rules=[rule(["r.example.com"], paths=[path(splits=[split("a")])])],
            tls_entries=[tls([], "cert", GW_NS), tls(["r.example.com"], "other", GW_NS)],
            http_option="Redirected",
        ),
        id="httpoption-redirected",
    ),
    pytest.param(
        ingress(rules=[rule(["g.example.com"], paths=[path(splits=[split("grpc", port="h2c")])])]),
        id="grpc-named-port",
    ),
]

SERVICES = (
    BackendService(
        namespace="default",
        name="grpc",
        ports=(ServicePort(name="h2c", port=81, app_protocol="kubernetes.io/h2c"),),
    ),
)


def errors_or_skip(obj: Object) -> list[str]:
    try:
        return schema_errors(obj)
    except SchemaUnavailable as reason:
        pytest.skip(str(reason))


@pytest.mark.parametrize("case", CASES)
def test_every_object_validates(translate: Translate, case: ClusterIngress) -> None:
    translation = translate(case, services=SERVICES, probe=True)
    assert translation.objects
    for obj in translation.objects:
        assert errors_or_skip(obj) == [], f"{obj['kind']} {obj['metadata']['name']}"


def test_every_object_validates_with_custom_config(translate: Translate) -> None:
    config = {
        "external-gateway": "edge/public",
        "external-gateway-service": "public.edge.svc.corp.internal",
        "external-gateway-selector": "app=edge,istio.io/rev=canary",
        "local-gateway": "edge/private",
        "local-gateway-service": "private.edge.svc.corp.internal",
    }
    case = ingress(
        rules=[
            rule(["c.example.com"], paths=[path(splits=[split("a")])]),
            rule(
                ["c.default.svc.corp.internal"], visibility=LOCAL, paths=[path(splits=[split("a")])]
            ),
        ],
        tls_entries=[tls([], "cert", "edge")],
        http_option="Redirected",
    )
    translation = translate(case, config=config, cluster_domain="corp.internal", probe=True)
    assert {obj["kind"] for obj in translation.objects} == {"Gateway", "VirtualService"}
    for obj in translation.objects:
        assert errors_or_skip(obj) == []


@pytest.mark.parametrize(
    ("kind", "breakage"),
    [
        pytest.param("VirtualService", ("http", 0, "route", 0, "weight", "ten"), id="vs-weight"),
        pytest.param(
            "VirtualService", ("http", 0, "match", 0, "authority", "exact", 1), id="vs-authority"
        ),
        pytest.param("Gateway", ("servers", 0, "port", "number", "https"), id="gateway-port"),
    ],
)
def test_schema_check_catches_broken_objects(
    translate: Translate, kind: str, breakage: tuple[Any, ...]
) -> None:
    # Guards the guard: the validation above must be able to fail.
    case = ingress(
        rules=[rule(["b.example.com"], paths=[path(splits=[split("a")])])],
        tls_entries=[tls([], "cert", GW_NS)],
    )
    obj = copy.deepcopy(next(o for o in translate(case).objects if o["kind"] == kind))
    *where, field, value = breakage
    target = obj["spec"]
    for step in where:
        target = target[step]
    target[field] = value
    assert errors_or_skip(obj) != []
