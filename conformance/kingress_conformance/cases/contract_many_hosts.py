"""``contract/many-hosts``: fifty hosts on one rule all answer."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOSTS = tuple(public_host(f"many-{index:02d}") for index in range(50))

CASE = Case(
    key="contract/many-hosts",
    description="Every one of 50 hosts of one rule reaches the backend; a host not listed "
    "does not.",
    tier=Tier.CONTRACT,
    features=frozenset({Feature.MULTIPLE_HOSTS}),
    services=(TestService(name="many-hosts"),),
    ingresses=(ingress("many-hosts", rule(HOSTS, path(to("many-hosts")))),),
    checks=tuple(Routes(request=request(host), to=(seen("many-hosts"),)) for host in HOSTS),
)
