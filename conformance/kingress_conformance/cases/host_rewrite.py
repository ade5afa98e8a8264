"""``host-rewrite``: vanity hosts rewritten onto a private host (Knative ``TestRewriteHost``).

The DomainMapping pattern: a ClusterLocal ingress serves a private host; an
ExternalName Service points at the private gateway; a public ingress for
vanity hosts rewrites the Host to the private one and splits to that Service.
"""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ExternalTarget, TestService, Tier
from kingress_conformance.casekit import ingress, local_host, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

PRIVATE = local_host("rewrite-target")
VANITY = (public_host("vanity"), public_host("vanity-second"))

CASE = Case(
    key="host-rewrite",
    description="Requests to vanity hosts are rewritten to a cluster-local host, sent back "
    "through the private gateway and reach its backend with the rewritten Host.",
    tier=Tier.BETA,
    features=frozenset({Feature.HOST_REWRITE, Feature.CLUSTER_LOCAL}),
    services=(
        TestService(name="rewrite-target"),
        TestService(name="private-gateway", external=ExternalTarget.PRIVATE_GATEWAY),
    ),
    ingresses=(
        ingress("rewrite-target", rule([PRIVATE], path(to("rewrite-target")), private=True)),
        ingress(
            "rewrite-vanity",
            rule(VANITY, path(to("private-gateway"), rewrite_host=PRIVATE)),
        ),
    ),
    checks=tuple(
        Routes(request=request(host), to=(seen("rewrite-target", host=PRIVATE),)) for host in VANITY
    ),
)
