"""``dispatch/rule``: two rules dispatched by host (Knative ``TestRule``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOSTS = {"rule-foo": public_host("rule-foo"), "rule-bar": public_host("rule-bar")}

CASE = Case(
    key="dispatch/rule",
    description="Two rules with different hosts each reach their own backend, with their "
    "own path header.",
    tier=Tier.STABLE,
    features=frozenset({Feature.HOST_DISPATCH, Feature.PRE_SPLIT_HEADERS}),
    services=tuple(TestService(name=name) for name in HOSTS),
    ingresses=(
        ingress(
            "rule",
            *(
                rule([host], path(to(name), headers={"Who-Are-You": name}))
                for name, host in HOSTS.items()
            ),
        ),
    ),
    checks=tuple(
        Routes(request=request(host), to=(seen(name, {"Who-Are-You": name}),))
        for name, host in HOSTS.items()
    ),
)
