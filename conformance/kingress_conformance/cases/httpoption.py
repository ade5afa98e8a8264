"""``httpoption``: Enabled serves plain HTTP, Redirected answers 301 (``TestHTTPOption``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, Certificate, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Redirects, Routes, seen
from kingress_conformance.requests import request

ENABLED = public_host("httpoption-enabled")
REDIRECTED = public_host("httpoption-redirected")

CASE = Case(
    key="httpoption",
    description="With TLS, https reaches the backend for both options; plain http reaches it "
    "for Enabled and gets a 301 (not followed) for Redirected.",
    tier=Tier.ALPHA,
    features=frozenset({Feature.TLS, Feature.HTTP_OPTION}),
    services=(TestService(name="httpoption"),),
    certificates=(
        Certificate(secret="httpoption-enabled", hosts=(ENABLED,)),
        Certificate(secret="httpoption-redirected", hosts=(REDIRECTED,)),
    ),
    ingresses=(
        ingress(
            "httpoption-enabled",
            rule([ENABLED], path(to("httpoption"))),
            tls=[((ENABLED,), "httpoption-enabled")],
            http_option="Enabled",
        ),
        ingress(
            "httpoption-redirected",
            rule([REDIRECTED], path(to("httpoption"))),
            tls=[((REDIRECTED,), "httpoption-redirected")],
            http_option="Redirected",
        ),
    ),
    checks=(
        Routes(request=request(ENABLED, tls=True), to=(seen("httpoption"),)),
        Routes(request=request(REDIRECTED, tls=True), to=(seen("httpoption"),)),
        Routes(request=request(ENABLED), to=(seen("httpoption"),)),
        Redirects(request=request(REDIRECTED)),
    ),
)
