"""``dispatch/path``: literal path prefixes and a catch-all (Knative ``TestPath``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("path")

CASE = Case(
    key="dispatch/path",
    description="/foo, /bar and /baz reach their own backends; / and /asdf reach the "
    "catch-all path.",
    tier=Tier.STABLE,
    features=frozenset({Feature.PATH_DISPATCH}),
    services=tuple(TestService(name=f"path-{name}") for name in ("foo", "bar", "baz", "all")),
    ingresses=(
        ingress(
            "path",
            rule(
                [HOST],
                path(to("path-foo"), prefix="/foo"),
                path(to("path-bar"), prefix="/bar"),
                path(to("path-baz"), prefix="/baz"),
                path(to("path-all")),
            ),
        ),
    ),
    checks=(
        *(
            Routes(request=request(HOST, f"/{name}"), to=(seen(f"path-{name}"),))
            for name in ("foo", "bar", "baz")
        ),
        Routes(request=request(HOST, "/"), to=(seen("path-all"),)),
        Routes(request=request(HOST, "/asdf"), to=(seen("path-all"),)),
    ),
)
