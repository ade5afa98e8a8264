"""``basics``: one public host, one split, HTTP/1 (Knative ``TestBasics``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("basics")

CASE = Case(
    key="basics",
    description="A GET on the public host reaches the one backend over HTTP/1.",
    tier=Tier.STABLE,
    features=frozenset({Feature.BASICS}),
    services=(TestService(name="basics"),),
    ingresses=(simple("basics", HOST, "basics"),),
    checks=(Routes(request=request(HOST), to=(seen("basics", host=HOST, http2=False),)),),
)
