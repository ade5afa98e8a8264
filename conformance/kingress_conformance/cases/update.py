"""``update``: changes roll out without a failed request (Knative ``TestUpdate``).

Ten versions change only a header sentinel on the path; ten more switch the
path to a fresh backend Service each time. After each version is ready the
first request must see it; a background prober must never fail.
"""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, Update, Version, seen
from kingress_conformance.requests import request

HOST = public_host("update")
SENTINEL = "Update-Sentinel"
HEADER_UPDATES = 10
BACKEND_UPDATES = 10
BACKENDS = tuple(f"update-{index}" for index in range(BACKEND_UPDATES + 1))


def _version(backend: str, sentinel: str) -> Version:
    made = ingress("update", rule([HOST], path(to(backend), headers={SENTINEL: sentinel})))
    return Version(ingress=made, expect=seen(backend, {SENTINEL: sentinel}))


_FIRST = _version(BACKENDS[0], "initial")

CASE = Case(
    key="update",
    description="Ten header-only updates, then ten switches to fresh backends: each is seen "
    "by the first request after it is ready, and no request in between fails.",
    tier=Tier.STABLE,
    features=frozenset({Feature.UPDATE, Feature.PRE_SPLIT_HEADERS}),
    services=tuple(TestService(name=name) for name in BACKENDS),
    ingresses=(_FIRST.ingress,),
    checks=(
        Routes(request=request(HOST), to=(_FIRST.expect,)),
        Update(
            request=request(HOST),
            versions=(
                *(_version(BACKENDS[0], f"header-{n}") for n in range(1, HEADER_UPDATES + 1)),
                *(_version(BACKENDS[n], f"backend-{n}") for n in range(1, BACKEND_UPDATES + 1)),
            ),
        ),
    ),
)
