"""``tls``: spec.tls terminates HTTPS; plain HTTP keeps working (Knative ``TestIngressTLS``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, Certificate, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("tls")

CASE = Case(
    key="tls",
    description="With a certificate for the host and httpOption Enabled, both https and "
    "http reach the backend.",
    tier=Tier.STABLE,
    features=frozenset({Feature.TLS}),
    services=(TestService(name="tls"),),
    certificates=(Certificate(secret="tls-cert", hosts=(HOST,)),),
    ingresses=(ingress("tls", rule([HOST], path(to("tls"))), tls=[((HOST,), "tls-cert")]),),
    checks=(
        Routes(request=request(HOST, tls=True), to=(seen("tls"),)),
        Routes(request=request(HOST), to=(seen("tls"),)),
    ),
)
