"""``dispatch/percentage``: ten splits 1..37% and three at 0% (Knative ``TestPercentage``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Distribution
from kingress_conformance.requests import request

HOST = public_host("percentage")
PERCENTS = (1, 2, 4, 8, 16, 32, 37, 0, 0, 0)
NAMES = tuple(f"percentage-{index}" for index in range(len(PERCENTS)))

CASE = Case(
    key="dispatch/percentage",
    description="1000 requests (8 at a time) split 1/2/4/8/16/32/37/0/0/0: each backend "
    "within ±10 points, the 0% ones get nothing.",
    tier=Tier.STABLE,
    features=frozenset({Feature.WEIGHTED_SPLIT, Feature.MULTI_WAY_SPLIT}),
    services=tuple(TestService(name=name) for name in NAMES),
    ingresses=(
        ingress(
            "percentage",
            rule([HOST], path(*(to(n, p) for n, p in zip(NAMES, PERCENTS, strict=True)))),
        ),
    ),
    checks=(Distribution(request=request(HOST), weights=dict(zip(NAMES, PERCENTS, strict=True))),),
)
