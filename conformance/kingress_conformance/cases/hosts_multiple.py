"""``hosts/multiple``: one rule, four hosts (Knative ``TestMultipleHosts``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOSTS = (
    public_host("multiple"),
    public_host("multiple-second"),
    public_host("a.b.c.d.multiple-deep-name"),
    public_host("multiple-" + "x" * 50),
)

CASE = Case(
    key="hosts/multiple",
    description="Every host of a rule with four hosts (one with many labels, one long) "
    "reaches the backend.",
    tier=Tier.STABLE,
    features=frozenset({Feature.MULTIPLE_HOSTS}),
    services=(TestService(name="multiple"),),
    ingresses=(ingress("multiple", rule(HOSTS, path(to("multiple")))),),
    checks=tuple(Routes(request=request(host), to=(seen("multiple"),)) for host in HOSTS),
)
