"""``dispatch/path_and_percentage``: 50/50 on /foo (Knative ``TestPathAndPercentageSplit``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Distribution, Routes, seen
from kingress_conformance.requests import request

HOST = public_host("path-and-percentage")

CASE = Case(
    key="dispatch/path_and_percentage",
    description="1000 requests to /foo split 50/50 (each 500 ± 150, i.e. ±15 points); the "
    "catch-all path reaches its own backend.",
    tier=Tier.STABLE,
    features=frozenset({Feature.PATH_DISPATCH, Feature.WEIGHTED_SPLIT}),
    services=tuple(TestService(name=f"pp-{name}") for name in ("a", "b", "all")),
    ingresses=(
        ingress(
            "path-and-percentage",
            rule([HOST], path(to("pp-a", 50), to("pp-b", 50), prefix="/foo"), path(to("pp-all"))),
        ),
    ),
    checks=(
        Distribution(request=request(HOST, "/foo"), weights={"pp-a": 50, "pp-b": 50}, tolerance=15),
        Routes(request=request(HOST, "/"), to=(seen("pp-all"),)),
    ),
)
