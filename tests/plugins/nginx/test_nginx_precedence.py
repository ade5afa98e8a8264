"""Proof by model: the emitted objects route every request as the neutral contract does.

Hypothesis builds rules from overlapping prefixes (``""``, ``/``, ``/a``,
``/ab``, ``/a/b``...), header matches and splits, plus the core's probe paths;
for many requests the documented NGINX models in ``kingress_nginx.model`` must
pick the same destinations (services, ports, weights and headers set) as the
contract's first-match over ``ordered_paths``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kingress import (
    HASH_HEADER,
    ClusterIngress,
    HTTPIngressPath,
    NotSupported,
    TranslateContext,
    Visibility,
    insert_probe,
)
from kingress.testing import ingress, path, rule, split
from kingress_nginx import IngressNginxBackend, NginxBackend
from kingress_nginx.model import (
    Hop,
    contract_route,
    ingress_nginx_route,
    virtual_server_problems,
    virtual_server_route,
)

PREFIXES = ["", "/", "/a", "/ab", "/a/b", "/b", "/a/"]
REQUEST_PATHS = ["/", "/a", "/ab", "/abc", "/a/", "/a/b", "/a/b/c", "/b", "/bz", "/c"]
HEADER_CHOICES: list[dict[str, str]] = [{}, {"X-A": "1"}, {"X-A": "2"}, {"X-B": "1"}]
SERVICES = ["v1", "v2", "v3"]
PUBLIC_HOST = "hello.example.com"
LOCAL_HOST = "hello.default.svc.cluster.local"
CONTEXT = TranslateContext()


@st.composite
def splits(draw: st.DrawFn, max_splits: int) -> list[Any]:
    count = draw(st.integers(1, max_splits))
    services = draw(st.permutations(SERVICES))[:count]
    if count == 1:
        return [split(services[0])]
    cut = draw(st.integers(0, 100))
    percents = [cut, 100 - cut] if count == 2 else [cut // 2, cut - cut // 2, 100 - cut]
    headers = draw(st.booleans())
    return [
        split(s, p, headers={"Which": s} if headers else None)
        for s, p in zip(services, percents, strict=True)
    ]


@st.composite
def paths(draw: st.DrawFn, *, max_headers: int, max_splits: int, set_headers: bool) -> Any:
    match: dict[str, str] = {}
    for name in draw(st.sets(st.sampled_from(["X-A", "X-B"]), max_size=max_headers)):
        match[name] = draw(st.sampled_from(["1", "2"]))
    return path(
        draw(st.sampled_from(PREFIXES)),
        match=match,
        splits=draw(splits(max_splits))
        if set_headers
        else [split(draw(st.sampled_from(SERVICES)))],
        headers={"Pre": "x"} if set_headers and draw(st.booleans()) else None,
        rewrite_host=draw(st.sampled_from(["", "", "rewritten.example.com"])),
    )


@st.composite
def ingresses(draw: st.DrawFn, *, for_ingress_nginx: bool) -> tuple[ClusterIngress, Visibility]:
    visibility = draw(st.sampled_from(list(Visibility)))
    host = LOCAL_HOST if visibility == Visibility.CLUSTER_LOCAL else PUBLIC_HOST
    if for_ingress_nginx:
        strategy = st.one_of(
            paths(max_headers=1, max_splits=1, set_headers=False),
            st.builds(
                lambda p, s: p.model_copy(update={"splits": tuple(s)}),
                paths(max_headers=0, max_splits=1, set_headers=False),
                splits(2).map(lambda ss: [s.model_copy(update={"append_headers": {}}) for s in ss]),
            ),
        )
    else:
        strategy = paths(max_headers=2, max_splits=3, set_headers=True)
    rule_paths: list[HTTPIngressPath] = draw(st.lists(strategy, min_size=1, max_size=5))
    ing = ingress(rules=[rule([host], visibility=visibility, paths=rule_paths)])
    return insert_probe(ing)[0], visibility


def _requests(visibility: Visibility, probe: bool) -> list[tuple[str, str, dict[str, str]]]:
    hosts = (
        ["hello.default", "hello.default.svc", LOCAL_HOST]
        if visibility == Visibility.CLUSTER_LOCAL
        else [PUBLIC_HOST]
    )
    extra = [{}, {HASH_HEADER: "override"}] if probe else [{}]
    return [
        (host, request_path, {**headers, **more})
        for host in hosts
        for request_path in REQUEST_PATHS
        for headers in HEADER_CHOICES
        for more in extra
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ingresses(for_ingress_nginx=False))
def test_virtual_servers_route_like_the_contract(case: tuple[ClusterIngress, Visibility]) -> None:
    ing, visibility = case
    objects = NginxBackend().translate(ing, CONTEXT).objects
    for obj in objects:
        assert virtual_server_problems(obj) == []
    ingress_class = "nginx-internal" if visibility == Visibility.CLUSTER_LOCAL else "nginx"
    for host, request_path, headers in _requests(visibility, probe=True):
        expected = contract_route(
            ing, visibility=visibility, host=host, path=request_path, headers=headers
        )
        actual = virtual_server_route(
            objects, ingress_class=ingress_class, host=host, path=request_path, headers=headers
        )
        assert actual == expected, (host, request_path, headers)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ingresses(for_ingress_nginx=True))
def test_ingress_nginx_routes_like_the_contract(case: tuple[ClusterIngress, Visibility]) -> None:
    ing, visibility = case
    try:
        objects = IngressNginxBackend().translate(ing, CONTEXT).objects
    except NotSupported:
        assume(False)
        return
    ingress_class = "nginx-internal" if visibility == Visibility.CLUSTER_LOCAL else "nginx"
    for host, request_path, headers in _requests(visibility, probe=False):
        expected = contract_route(
            ing, visibility=visibility, host=host, path=request_path, headers=headers
        )
        actual = ingress_nginx_route(
            objects, ingress_class=ingress_class, host=host, path=request_path, headers=headers
        )
        assert actual == expected, (host, request_path, headers)


def test_other_gateway_never_serves_the_host() -> None:
    ing = insert_probe(
        ingress(
            rules=[
                rule(
                    [LOCAL_HOST],
                    visibility=Visibility.CLUSTER_LOCAL,
                    paths=[path(splits=[split("v1")])],
                )
            ]
        )
    )[0]
    objects = NginxBackend().translate(ing, CONTEXT).objects
    for host in ("hello.default", LOCAL_HOST):
        assert (
            virtual_server_route(objects, ingress_class="nginx", host=host, path="/", headers={})
            is None
        )
        assert virtual_server_route(
            objects, ingress_class="nginx-internal", host=host, path="/", headers={}
        ) == (Hop("v1", 80, 100),)


@pytest.mark.parametrize(
    ("request_path", "headers", "expected"),
    [
        pytest.param("/a/x", {"X-A": "1"}, "v1", id="longer-prefix-beats-more-headers"),
        pytest.param("/ax", {"X-A": "1"}, "v2", id="header-path"),
        pytest.param("/ax", {}, "v3", id="header-miss-falls-through-to-shorter-prefix"),
        pytest.param("/b", {"X-A": "1"}, "v2", id="catch-all-header"),
        pytest.param("/b", {}, "v3", id="catch-all"),
    ],
)
def test_fallthrough_examples(request_path: str, headers: dict[str, str], expected: str) -> None:
    # "/a" has only a header path: its requests without the header fall through to "".
    ing = ingress(
        rules=[
            rule(
                [PUBLIC_HOST],
                paths=[
                    path("/a", match={"X-A": "1"}, splits=[split("v2")]),
                    path("/a/", splits=[split("v1")]),
                    path(match={"X-A": "1"}, splits=[split("v2")]),
                    path(splits=[split("v3")]),
                ],
            )
        ]
    )
    objects = NginxBackend().translate(ing, CONTEXT).objects
    decision = virtual_server_route(
        objects, ingress_class="nginx", host=PUBLIC_HOST, path=request_path, headers=headers
    )
    assert decision == contract_route(
        ing, visibility=Visibility.EXTERNAL_IP, host=PUBLIC_HOST, path=request_path, headers=headers
    )
    assert decision is not None
    assert [hop.service for hop in decision] == [expected]
