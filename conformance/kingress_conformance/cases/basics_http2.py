"""``basics/http2``: the gateway speaks h2c to an ``http2`` port (Knative ``TestBasicsHTTP2``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("basics-http2")

CASE = Case(
    key="basics/http2",
    description="A Service port named http2 (appProtocol kubernetes.io/h2c) is reached over "
    "HTTP/2 cleartext: the backend sees ProtoMajor 2.",
    tier=Tier.STABLE,
    features=frozenset({Feature.BASICS, Feature.H2C}),
    services=(TestService(name="basics-http2", h2c=True),),
    ingresses=(simple("basics-http2", HOST, "basics-http2"),),
    checks=(Routes(request=request(HOST), to=(seen("basics-http2", http2=True),)),),
)
