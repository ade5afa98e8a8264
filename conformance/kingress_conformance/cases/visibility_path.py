"""``visibility/path``: the path case behind a ClusterLocal rule (``TestVisibilityPath``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, local_host, path, rule, to
from kingress_conformance.checks import NotFound, Routes, seen
from kingress_conformance.requests import request

HOST = local_host("visibility-path")
NAMES = ("foo", "bar", "baz")

CASE = Case(
    key="visibility/path",
    description="The dispatch/path routing, through the private gateway only.",
    tier=Tier.STABLE,
    features=frozenset({Feature.CLUSTER_LOCAL, Feature.PATH_DISPATCH}),
    services=tuple(TestService(name=f"vpath-{name}") for name in (*NAMES, "all")),
    ingresses=(
        ingress(
            "visibility-path",
            rule(
                [HOST],
                *(path(to(f"vpath-{name}"), prefix=f"/{name}") for name in NAMES),
                path(to("vpath-all")),
                private=True,
            ),
        ),
    ),
    checks=(
        *(
            Routes(request=request(HOST, f"/{name}", private=True), to=(seen(f"vpath-{name}"),))
            for name in NAMES
        ),
        Routes(request=request(HOST, "/asdf", private=True), to=(seen("vpath-all"),)),
        NotFound(request=request(HOST, "/foo")),
    ),
)
