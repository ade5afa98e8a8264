"""``retry``: a 503 is passed through, not retried (Knative ``TestRetry``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import NoRetry
from kingress_conformance.requests import request

HOST = public_host("retry")

CASE = Case(
    key="retry",
    description="The backend answers its first request with 503 and later ones with 200: "
    "the client must get the 503 first.",
    tier=Tier.STABLE,
    features=frozenset({Feature.NO_RETRY}),
    services=(TestService(name="retry", kind=ServerKind.RETRY),),
    ingresses=(simple("retry", HOST, "retry"),),
    checks=(NoRetry(request=request(HOST), backend="retry"),),
)
