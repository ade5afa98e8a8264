"""``headers/pre-split``: path appendHeaders are *set* (Knative ``TestPreSplitSetHeaders``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("pre-split")
HEADER = "Foo-Bar-Baz"

CASE = Case(
    key="headers/pre-split",
    description="A header set on the path reaches the backend, and a client's own value "
    "for it is replaced, not appended to.",
    tier=Tier.STABLE,
    features=frozenset({Feature.PRE_SPLIT_HEADERS}),
    services=(TestService(name="pre-split"),),
    ingresses=(
        ingress("pre-split", rule([HOST], path(to("pre-split"), headers={HEADER: "pre-split"}))),
    ),
    checks=(
        Routes(request=request(HOST), to=(seen("pre-split", {HEADER: "pre-split"}),)),
        Routes(
            request=request(HOST, headers={HEADER: "bogus"}),
            to=(seen("pre-split", {HEADER: "pre-split"}),),
        ),
    ),
)
