"""``contract/class-change``: moving an ingress to another class leaves nothing behind."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import ClassChange
from kingress_conformance.requests import request

HOST = public_host("class-change")

CASE = Case(
    key="contract/class-change",
    description="An ingress served by the backend is moved to a class nobody claims: its "
    "routes and objects go away.",
    tier=Tier.CONTRACT,
    features=frozenset({Feature.BASICS}),
    services=(TestService(name="class-change"),),
    ingresses=(simple("class-change", HOST, "class-change"),),
    checks=(ClassChange(request=request(HOST), ingress="class-change", backend="class-change"),),
)
