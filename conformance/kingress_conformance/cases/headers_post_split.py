"""``headers/post-split``: each split sets its own header (Knative ``TestPostSplitSetHeaders``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("post-split")
HEADER = "Foo-Bar-Baz"
NAMES = tuple(f"post-split-{index}" for index in range(4))

CASE = Case(
    key="headers/post-split",
    description="Four 25% splits each set their own value of a header; all four values are "
    "seen within 100 requests, with and without a client value to overwrite.",
    tier=Tier.STABLE,
    features=frozenset(
        {Feature.POST_SPLIT_HEADERS, Feature.WEIGHTED_SPLIT, Feature.MULTI_WAY_SPLIT}
    ),
    services=tuple(TestService(name=name) for name in NAMES),
    ingresses=(
        ingress(
            "post-split",
            rule([HOST], path(*(to(name, 25, headers={HEADER: name}) for name in NAMES))),
        ),
    ),
    checks=tuple(
        Routes(
            request=request(HOST, headers=client),
            to=tuple(seen(name, {HEADER: name}) for name in NAMES),
            max_requests=100,
        )
        for client in ({}, {HEADER: "bogus"})
    ),
)
