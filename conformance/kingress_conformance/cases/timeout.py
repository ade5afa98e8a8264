"""``timeout``: no route timeout cuts a slow response (Knative ``TestTimeout``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import NoTimeout
from kingress_conformance.requests import request

HOST = public_host("timeout")

CASE = Case(
    key="timeout",
    description="10 s before the response headers and 10 s between headers and body both "
    "end in 200.",
    tier=Tier.STABLE,
    features=frozenset({Feature.NO_TIMEOUT}),
    services=(TestService(name="timeout", kind=ServerKind.TIMEOUT),),
    ingresses=(simple("timeout", HOST, "timeout"),),
    checks=(NoTimeout(request=request(HOST), backend="timeout"),),
)
