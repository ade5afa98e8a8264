"""``visibility/split``: the percentage case behind a ClusterLocal rule (Knative)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, local_host, path, rule, to
from kingress_conformance.checks import Distribution, NotFound
from kingress_conformance.requests import request

HOST = local_host("visibility-split")
PERCENTS = (1, 2, 4, 8, 16, 32, 37, 0, 0, 0)
NAMES = tuple(f"visibility-split-{index}" for index in range(len(PERCENTS)))

CASE = Case(
    key="visibility/split",
    description="The dispatch/percentage distribution, through the private gateway only.",
    tier=Tier.STABLE,
    features=frozenset({Feature.CLUSTER_LOCAL, Feature.WEIGHTED_SPLIT, Feature.MULTI_WAY_SPLIT}),
    services=tuple(TestService(name=name) for name in NAMES),
    ingresses=(
        ingress(
            "visibility-split",
            rule(
                [HOST],
                path(*(to(n, p) for n, p in zip(NAMES, PERCENTS, strict=True))),
                private=True,
            ),
        ),
    ),
    checks=(
        Distribution(
            request=request(HOST, private=True), weights=dict(zip(NAMES, PERCENTS, strict=True))
        ),
        NotFound(request=request(HOST)),
    ),
)
