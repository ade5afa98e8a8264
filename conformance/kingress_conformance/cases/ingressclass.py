"""``ingressclass``: ingresses of other classes are left alone (Knative ``TestIngressClass``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ForeignIngress, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import NotFound, Unchanged
from kingress_conformance.requests import request

#: (ingress name, class annotation): none at all, empty, and a class nobody claims.
FOREIGN = (
    ("class-none", None),
    ("class-empty", ""),
    ("class-incorrect", "incorrect"),
)

CASE = Case(
    key="ingressclass",
    description="Ingresses without a class annotation, with an empty one or with a class "
    "nobody claims get no status and no route.",
    tier=Tier.STABLE,
    features=frozenset({Feature.BASICS}),
    services=(TestService(name="ingressclass"),),
    ingresses=(),
    foreign=tuple(
        ForeignIngress(ingress=simple(name, public_host(name), "ingressclass"), ingress_class=cls)
        for name, cls in FOREIGN
    ),
    checks=(
        *(Unchanged(ingress=name) for name, _ in FOREIGN),
        *(NotFound(request=request(public_host(name))) for name, _ in FOREIGN),
    ),
)
