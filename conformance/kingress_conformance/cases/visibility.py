"""``visibility``: ClusterLocal hosts only on the private gateway (Knative ``TestVisibility``)."""

from __future__ import annotations

from kingress import Feature, expanded_hosts
from kingress_conformance.case import CLUSTER_DOMAIN, Case, TestService, Tier
from kingress_conformance.casekit import ingress, local_host, path, rule, to
from kingress_conformance.checks import NotFound, Routes, seen
from kingress_conformance.requests import request

HOST = local_host("visibility")
FORMS = expanded_hosts([HOST], CLUSTER_DOMAIN)

CASE = Case(
    key="visibility",
    description="A ClusterLocal rule answers on the private gateway under all three name "
    "forms (x.ns, x.ns.svc, x.ns.svc.cluster.local) and 404s on the public one.",
    tier=Tier.STABLE,
    features=frozenset({Feature.CLUSTER_LOCAL}),
    services=(TestService(name="visibility"),),
    ingresses=(ingress("visibility", rule([HOST], path(to("visibility")), private=True)),),
    checks=(
        *(Routes(request=request(form, private=True), to=(seen("visibility"),)) for form in FORMS),
        *(NotFound(request=request(form)) for form in FORMS),
    ),
)
