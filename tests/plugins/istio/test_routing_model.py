"""Routing decisions: Istio's first-match evaluation of our output equals the neutral contract.

``istio_route`` is a small model of how an Istio gateway (or sidecar, for
``mesh``) picks a route from VirtualServices, following Istio's documented
rules: the VirtualService must be bound to the gateway and list the request
host (Envoy virtual host domains are ``host`` and ``host:*``); ``http[]`` is
evaluated in order and the first entry with a matching ``match[]`` element
wins; inside one element, gateways, authority, URI prefix and every header
must all match (header names case-insensitively, values exactly).

``neutral_route`` is the ClusterIngress contract: the first rule (in spec
order) that lists the host and is visible on that gateway, then the most
specific matching path (``kingress.ordered_paths``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingress import (
    ClusterIngress,
    TranslateContext,
    Visibility,
    expanded_hosts,
    insert_probe,
    ordered_paths,
)
from kingress.testing import ingress, path, rule, split
from kingress_istio import IstioBackend

Object = dict[str, Any]
EXTERNAL = "knative-serving/knative-ingress-gateway"
LOCAL = "knative-serving/knative-local-gateway"
MESH = "mesh"

#: What a request ends up with: the weighted backends, and the headers set before the split.
Decision = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]] | None


@dataclass(frozen=True)
class Request:
    gateway: str
    authority: str
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)


def _string_match(rule: Mapping[str, str], value: str | None) -> bool:
    if value is None:
        return False
    if "exact" in rule:
        return value == rule["exact"]
    if "prefix" in rule:
        return value.startswith(rule["prefix"])
    raise AssertionError(f"the model does not know {rule}")


def _matches(match: Object, request: Request) -> bool:
    headers = {name.lower(): value for name, value in request.headers.items()}
    return (
        request.gateway in match.get("gateways", [MESH])
        and ("authority" not in match or _string_match(match["authority"], request.authority))
        and ("uri" not in match or _string_match(match["uri"], request.path))
        and all(
            _string_match(rule, headers.get(name))
            for name, rule in match.get("headers", {}).items()
        )
    )


def istio_route(objects: Sequence[Object], request: Request) -> Decision:
    host = request.authority.split(":")[0]
    for vs in objects:
        if vs["kind"] != "VirtualService":
            continue
        spec = vs["spec"]
        if request.gateway not in spec.get("gateways", [MESH]) or host not in spec["hosts"]:
            continue
        for route in spec["http"]:
            if any(_matches(m, request) for m in route.get("match", [{}])):
                backends = tuple(
                    (d["destination"]["host"].split(".")[0], d["weight"]) for d in route["route"]
                )
                pre = route.get("headers", {}).get("request", {}).get("set", {})
                return backends, tuple(sorted(pre.items()))
    return None


def neutral_route(case: ClusterIngress, request: Request) -> Decision:
    host = request.authority.split(":")[0]
    visible = Visibility.EXTERNAL_IP if request.gateway == EXTERNAL else Visibility.CLUSTER_LOCAL
    headers = {name.lower(): value for name, value in request.headers.items()}
    for r in case.spec.rules:
        hosts = expanded_hosts(r.hosts) if r.visibility == Visibility.CLUSTER_LOCAL else r.hosts
        if r.visibility != visible or host not in hosts:
            continue
        for p in ordered_paths(r):
            if request.path.startswith(p.path) and all(
                headers.get(name.lower()) == m.exact for name, m in p.headers.items()
            ):
                backends = tuple((s.service_name, s.percent) for s in p.splits if s.percent > 0)
                return backends, tuple(sorted(p.append_headers.items()))
        return None
    return None


def objects_for(case: ClusterIngress) -> tuple[Object, ...]:
    return IstioBackend().translate(case, TranslateContext()).objects


def assert_same(
    case: ClusterIngress, requests: Sequence[Request], want: Sequence[str | None]
) -> None:
    objects = objects_for(case)
    for request, expected in zip(requests, want, strict=True):
        got = istio_route(objects, request)
        assert got == neutral_route(case, request), request
        assert (got[0][0][0] if got else None) == expected, request


DISPATCH_PATH = ingress(
    rules=[
        rule(
            ["path.example.com"],
            paths=[
                path(splits=[split("catch-all")]),
                path("/foo", splits=[split("foo")]),
                path("/foo/bar", splits=[split("foobar")]),
                path("/baz", match={"X-Version": "2"}, splits=[split("baz-v2")]),
                path("/baz", splits=[split("baz")]),
            ],
        )
    ]
)


@pytest.mark.parametrize(
    ("request_", "want"),
    [
        pytest.param(Request(EXTERNAL, "path.example.com", "/foo"), "foo", id="prefix"),
        pytest.param(Request(EXTERNAL, "path.example.com", "/foo/bar/x"), "foobar", id="longest"),
        pytest.param(Request(EXTERNAL, "path.example.com", "/asdf"), "catch-all", id="catch-all"),
        pytest.param(Request(EXTERNAL, "path.example.com", ""), "catch-all", id="empty-path"),
        pytest.param(
            Request(EXTERNAL, "path.example.com", "/baz", {"x-version": "2"}), "baz-v2", id="header"
        ),
        pytest.param(
            Request(EXTERNAL, "path.example.com", "/baz", {"X-Version": "3"}), "baz", id="no-header"
        ),
        pytest.param(Request(EXTERNAL, "path.example.com:80", "/foo"), "foo", id="host-with-port"),
        pytest.param(Request(EXTERNAL, "other.example.com", "/foo"), None, id="unknown-host"),
        pytest.param(Request(LOCAL, "path.example.com", "/foo"), None, id="not-on-local-gateway"),
    ],
)
def test_dispatch_path(request_: Request, want: str | None) -> None:
    assert_same(DISPATCH_PATH, [request_], [want])


VISIBILITY = ingress(
    rules=[
        rule(["pub.example.com"], paths=[path(splits=[split("public")])]),
        rule(
            ["priv.default.svc.cluster.local"],
            visibility=Visibility.CLUSTER_LOCAL,
            paths=[path(splits=[split("private")])],
        ),
    ]
)


@pytest.mark.parametrize(
    ("request_", "want"),
    [
        pytest.param(Request(EXTERNAL, "pub.example.com"), "public", id="public-on-external"),
        pytest.param(Request(EXTERNAL, "priv.default.svc.cluster.local"), None, id="private-404"),
        pytest.param(Request(EXTERNAL, "priv.default"), None, id="short-private-404"),
        pytest.param(Request(LOCAL, "priv.default.svc.cluster.local"), "private", id="fqdn"),
        pytest.param(Request(LOCAL, "priv.default.svc"), "private", id="svc-form"),
        pytest.param(Request(LOCAL, "priv.default:80"), "private", id="short-form-with-port"),
        pytest.param(Request(LOCAL, "pub.example.com"), None, id="public-not-on-local"),
    ],
)
def test_visibility(request_: Request, want: str | None) -> None:
    assert_same(VISIBILITY, [request_], [want])


def test_mesh_routes_cluster_local_hosts() -> None:
    objects = objects_for(VISIBILITY)
    assert istio_route(objects, Request(MESH, "priv.default.svc.cluster.local"))
    assert istio_route(objects, Request(MESH, "priv.default")) is not None
    assert istio_route(objects, Request(MESH, "pub.example.com")) is None


def test_similar_hosts_of_different_rules_stay_apart() -> None:
    case = ingress(
        rules=[
            rule(["a.example.com"], paths=[path(splits=[split("short")])]),
            rule(["a.example.com.au"], paths=[path(splits=[split("long")])]),
        ]
    )
    assert_same(
        case,
        [Request(EXTERNAL, "a.example.com.au"), Request(EXTERNAL, "a.example.com:8080")],
        ["long", "short"],
    )


def test_probe_requests_reach_the_probe_route() -> None:
    case, hash_ = insert_probe(DISPATCH_PATH)
    objects = objects_for(case)
    probe = Request(EXTERNAL, "path.example.com", "/healthz", {"K-Network-Hash": "override"})
    decision = istio_route(objects, probe)
    assert decision == neutral_route(case, probe)
    assert decision is not None and decision[1] == (("K-Network-Hash", hash_),)
    plain = istio_route(objects, Request(EXTERNAL, "path.example.com", "/healthz"))
    assert plain is not None and plain[1] == ()


PREFIXES = ["", "/a", "/a/b", "/b", "/ab"]


@settings(max_examples=80, deadline=None)
@given(
    paths=st.lists(
        st.tuples(
            st.sampled_from(PREFIXES), st.sampled_from([{}, {"X-T": "1"}, {"X-T": "2", "X-U": "u"}])
        ),
        min_size=1,
        max_size=6,
    ),
    requests=st.lists(
        st.tuples(
            st.sampled_from(["/", "/a", "/a/b/c", "/ab", "/b", "/c"]),
            st.sampled_from([{}, {"x-t": "1"}, {"x-t": "2"}, {"x-t": "2", "x-u": "u"}]),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_first_match_equals_neutral_precedence(
    paths: list[tuple[str, dict[str, str]]], requests: list[tuple[str, dict[str, str]]]
) -> None:
    case = ingress(
        rules=[
            rule(
                ["m.example.com"],
                paths=[
                    path(prefix, match=match, splits=[split(f"p{i}")])
                    for i, (prefix, match) in enumerate(paths)
                ],
            )
        ]
    )
    objects = objects_for(case)
    for request_path, headers in requests:
        request = Request(EXTERNAL, "m.example.com", request_path, headers)
        assert istio_route(objects, request) == neutral_route(case, request)
