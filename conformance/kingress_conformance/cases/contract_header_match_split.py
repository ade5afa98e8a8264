"""``contract/header-match-split``: a header-matched path with a weighted split."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Distribution, Routes, seen
from kingress_conformance.requests import request

HOST = public_host("header-split")
CANARY = {"X-Canary": "yes"}

CASE = Case(
    key="contract/header-match-split",
    description="Requests with the matched header split 50/50 between two backends; "
    "requests without it reach a third.",
    tier=Tier.CONTRACT,
    features=frozenset({Feature.HEADER_MATCH, Feature.WEIGHTED_SPLIT}),
    services=tuple(TestService(name=f"header-split-{name}") for name in ("a", "b", "rest")),
    ingresses=(
        ingress(
            "header-split",
            rule(
                [HOST],
                path(to("header-split-a", 50), to("header-split-b", 50), match=CANARY),
                path(to("header-split-rest")),
            ),
        ),
    ),
    checks=(
        Distribution(
            request=request(HOST, headers=CANARY),
            weights={"header-split-a": 50, "header-split-b": 50},
        ),
        Routes(request=request(HOST), to=(seen("header-split-rest"),)),
        Routes(request=request(HOST, headers={"X-Canary": "no"}), to=(seen("header-split-rest"),)),
    ),
)
