"""Contour's route selection model, and the proof that translations follow the contract.

The model (``kingress_contour.precedence``) encodes Contour's ordering rules for
the conditions this backend emits. The property tests generate varied rules,
translate them, and check — for every request of a space that covers each
prefix, each header value and their absence — that the route Contour picks
under the model is exactly the path the neutral contract picks
(``kingress.ordered_paths``, first match wins), or that the backend refused the
ingress because a plain translation would have misrouted some request.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kingress import ClusterIngress, HTTPIngressPath, NotSupported, insert_probe, ordered_paths
from kingress.testing import ingress, path, rule, split
from kingress_contour.precedence import (
    Request,
    RouteMatch,
    conflicts,
    first_match,
    select,
    shadowed,
)

from .conftest import run_translate

PREFIXES = ["", "/", "/a", "/ab", "/b", "/a/b"]
NAMES = ["a", "b", "c"]
VALUES = ["1", "2"]


def requests_for(prefixes: Sequence[str]) -> Iterator[Request]:
    """Every path that starts (or not) with the prefixes, times every header combination."""
    paths = {"/", "/zzz"} | {p or "/" for p in prefixes} | {(p or "/") + "x" for p in prefixes}
    for request_path in sorted(paths):
        for values in itertools.product([None, *VALUES], repeat=len(NAMES)):
            headers = {n: v for n, v in zip(NAMES, values, strict=True) if v is not None}
            yield Request.of(request_path, headers)


def contract_choice(paths: Sequence[HTTPIngressPath], request: Request) -> str | None:
    """The neutral contract, written independently: first match in ``ordered_paths`` order."""
    ordered = ordered_paths(rule(["x.example.com"], paths=paths))
    for candidate in ordered:
        if request.path.startswith(candidate.path) and all(
            request.header(name) == match.exact for name, match in candidate.headers.items()
        ):
            return candidate.splits[0].service_name
    return None


def contour_choice(routes: Sequence[Mapping[str, object]], request: Request) -> str | None:
    """What Contour does with the emitted routes, under the model; ties fail the test."""
    matches = [RouteMatch.of_route(r) for r in routes]
    chosen = select(matches, request)
    assert len(chosen) <= 1, f"Contour's choice for {request} is unspecified among {chosen}"
    if not chosen:
        return None
    services = routes[chosen[0]]["services"]
    assert isinstance(services, list)
    return str(services[0]["name"])


# -- the model on documented examples ----------------------------------------------


@pytest.mark.parametrize(
    ("routes", "request_", "expected"),
    [
        pytest.param(
            [RouteMatch.of("/"), RouteMatch.of("/api")],
            Request.of("/api/v1"),
            (1,),
            id="longest-prefix-wins-whatever-the-list-order",
        ),
        pytest.param(
            [RouteMatch.of("/api")],
            Request.of("/apiary"),
            (0,),
            id="prefix-is-a-string-prefix-not-a-segment",
        ),
        pytest.param(
            [RouteMatch.of("/"), RouteMatch.of("/", {"X-Tag": "a"})],
            Request.of("/", {"x-tag": "a"}),
            (1,),
            id="more-headers-wins-for-the-same-prefix",
        ),
        pytest.param(
            [RouteMatch.of("/", {"X-Tag": "a"}), RouteMatch.of("/")],
            Request.of("/", {"X-Tag": "A"}),
            (1,),
            id="header-values-are-case-sensitive",
        ),
        pytest.param(
            [RouteMatch.of("/", {"X-Tag": "a"})],
            Request.of("/"),
            (),
            id="missing-header-does-not-match",
        ),
        pytest.param(
            [RouteMatch.of("/long", {}), RouteMatch.of("/", {"A": "1", "B": "2"})],
            Request.of("/long", {"a": "1", "b": "2"}),
            (0,),
            id="prefix-length-beats-header-count",
        ),
        pytest.param(
            [RouteMatch.of("/", {"A": "1"}), RouteMatch.of("/", {"B": "2"})],
            Request.of("/", {"a": "1", "b": "2"}),
            (0, 1),
            id="equal-specificity-is-unspecified",
        ),
        pytest.param(
            [RouteMatch.of("/", {"A": "1", "a": "2"})],
            Request.of("/", {"a": "1"}),
            (),
            id="contradictory-conditions-never-match",
        ),
    ],
)
def test_model(routes: list[RouteMatch], request_: Request, expected: tuple[int, ...]) -> None:
    assert select(routes, request_) == expected


def test_shadowed_routes() -> None:
    routes = [
        RouteMatch.of("/", {"A": "1"}),
        RouteMatch.of("/"),
        RouteMatch.of("", {"A": "1"}),  # same as the first
        RouteMatch.of("", {"B": "1"}),  # implied by the second
    ]
    assert shadowed(routes) == {2, 3}


def test_conflict_witness_is_the_least_common_request() -> None:
    (conflict,) = conflicts([RouteMatch.of("/a", {"X": "1"}), RouteMatch.of("/a", {"Y": "2"})])
    assert (conflict.expected, conflict.other) == (0, 1)
    assert conflict.request == Request.of("/a", {"x": "1", "y": "2"})


def test_covering_route_removes_the_conflict() -> None:
    routes = [
        RouteMatch.of("/a", {"X": "1", "Y": "2"}),
        RouteMatch.of("/a", {"X": "1"}),
        RouteMatch.of("/a", {"Y": "2"}),
    ]
    assert conflicts(routes) == ()


# -- properties ---------------------------------------------------------------------

header_sets = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VALUES), max_size=3).flatmap(
    lambda headers: st.tuples(*(st.booleans() for _ in headers)).map(
        lambda upper: {
            (name.upper() if up else name): value
            for (name, value), up in zip(headers.items(), upper, strict=True)
        }
    )
)
path_specs = st.lists(st.tuples(st.sampled_from(PREFIXES), header_sets), min_size=1, max_size=6)


def build(specs: Sequence[tuple[str, dict[str, str]]]) -> list[HTTPIngressPath]:
    return [
        path(prefix, splits=[split(f"svc{i}")], match=headers)
        for i, (prefix, headers) in enumerate(specs)
    ]


def one_rule(paths: Sequence[HTTPIngressPath]) -> ClusterIngress:
    return ingress(rules=[rule(["x.example.com"], paths=paths)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_specs)
def test_translation_routes_every_request_like_the_contract(
    specs: list[tuple[str, dict[str, str]]],
) -> None:
    paths = build(specs)
    try:
        translation = run_translate(one_rule(paths))
    except NotSupported:
        # Refused only when a plain translation (every path, contract order) would
        # let Contour route some request elsewhere than the contract.
        naive = [
            RouteMatch.of(p.path, {k: m.exact for k, m in p.headers.items()})
            for p in ordered_paths(rule(["x.example.com"], paths=paths))
        ]
        assert any(
            select(naive, request)
            != ((first,) if (first := first_match(naive, request)) is not None else ())
            for request in requests_for(PREFIXES)
        ), "refused an ingress Contour would have routed like the contract"
        return
    (proxy,) = translation.objects
    routes = proxy["spec"]["routes"]
    for request in requests_for(PREFIXES):
        assert contour_choice(routes, request) == contract_choice(paths, request), request


@settings(max_examples=300, deadline=None)
@given(path_specs)
def test_conflicts_are_exactly_the_disagreements(specs: list[tuple[str, dict[str, str]]]) -> None:
    routes = [RouteMatch.of(prefix, headers) for prefix, headers in specs]
    routes.sort(key=lambda r: (-len(r.prefix), -len(r.headers)))
    disagreements = [
        request
        for request in requests_for(PREFIXES)
        if select(routes, request)
        != ((first,) if (first := first_match(routes, request)) is not None else ())
    ]
    assert bool(conflicts(routes)) == bool(disagreements)


VARIED = [
    pytest.param([("/foo", {}), ("/bar", {}), ("/baz", {}), ("", {})], id="dispatch-path"),
    pytest.param([("", {}), ("", {"Knative-Serving-Tag": "t"})], id="headers-tags"),
    pytest.param([("/foo", {}), ("", {})], id="path-and-percentage"),
    pytest.param([("", {"a": "1"}), ("/", {})], id="empty-path-with-header-vs-slash"),
    pytest.param(
        [("/a", {"a": "1", "b": "2"}), ("/a", {"a": "1"}), ("/a", {"b": "2"})], id="covered-overlap"
    ),
    pytest.param(
        [("/ab", {}), ("/a", {"a": "1"}), ("/", {"a": "1", "b": "1"})], id="prefix-beats-headers"
    ),
]


@pytest.mark.parametrize("specs", VARIED)
@pytest.mark.parametrize("probe", [False, True], ids=["plain", "with-probe"])
def test_varied_ingresses_route_like_the_contract(
    specs: list[tuple[str, dict[str, str]]], probe: bool
) -> None:
    ing = one_rule(build(specs))
    if probe:
        ing, _ = insert_probe(ing)
    assert ing.spec.rules[0].http is not None
    paths = ing.spec.rules[0].http.paths
    (proxy,) = run_translate(ing).objects
    routes = proxy["spec"]["routes"]
    for request in requests_for(PREFIXES):
        for extra in ({}, {"K-Network-Hash": "override"}, {"Knative-Serving-Tag": "t"}):
            full = Request.of(request.path, {**dict(request.headers), **extra})
            assert contour_choice(routes, full) == contract_choice(paths, full), full


def test_property_inputs_include_refusals() -> None:
    """The generated space is not trivially accepted: some inputs must be refused."""
    refused = 0
    for specs in itertools.product(
        [("/a", {"a": "1"}), ("/a", {"b": "1"}), ("/a", {}), ("", {"a": "2"})], repeat=2
    ):
        try:
            run_translate(one_rule(build(specs)))
        except NotSupported:
            refused += 1
    assert refused == 2  # (a=1, b=1) in either order
