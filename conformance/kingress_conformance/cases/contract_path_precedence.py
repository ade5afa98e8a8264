"""``contract/path-precedence``: the most specific path wins, whatever the list order.

The neutral precedence (``kingress.ordered_paths``): a longer prefix beats a
shorter one, then more header matches beat fewer, then list order. The paths
are listed least specific first, so a first-match gateway fed in list order
fails.
"""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("precedence")
ONE = {"X-First": "1"}
TWO = {"X-First": "1", "X-Second": "2"}

CASE = Case(
    key="contract/path-precedence",
    description="Longer prefixes beat shorter ones and more header matches beat fewer, "
    "regardless of their order in the list.",
    tier=Tier.CONTRACT,
    features=frozenset(
        {Feature.PATH_DISPATCH, Feature.HEADER_MATCH, Feature.MULTIPLE_HEADER_MATCH}
    ),
    services=tuple(
        TestService(name=f"precedence-{name}") for name in ("all", "foo", "foo-bar", "one", "two")
    ),
    ingresses=(
        ingress(
            "precedence",
            rule(
                [HOST],
                path(to("precedence-all")),
                path(to("precedence-foo"), prefix="/foo"),
                path(to("precedence-foo-bar"), prefix="/foo/bar"),
                path(to("precedence-one"), prefix="/h", match=ONE),
                path(to("precedence-two"), prefix="/h", match=TWO),
            ),
        ),
    ),
    checks=(
        Routes(request=request(HOST, "/foo/bar/x"), to=(seen("precedence-foo-bar"),)),
        Routes(request=request(HOST, "/foo/x"), to=(seen("precedence-foo"),)),
        Routes(request=request(HOST, "/x"), to=(seen("precedence-all"),)),
        Routes(request=request(HOST, "/h", headers=TWO), to=(seen("precedence-two"),)),
        Routes(request=request(HOST, "/h", headers=ONE), to=(seen("precedence-one"),)),
        Routes(request=request(HOST, "/h"), to=(seen("precedence-all"),)),
    ),
)
