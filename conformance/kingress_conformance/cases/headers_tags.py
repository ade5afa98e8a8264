"""``headers/tags``: an exact header match selects a path (Knative ``TestTagHeaders``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import Routes, seen
from kingress_conformance.requests import request

HOST = public_host("tags")
TAG_HEADER = "Knative-Serving-Tag"
TAG = "the-tag"

CASE = Case(
    key="headers/tags",
    description="Knative-Serving-Tag: the-tag reaches the tagged path; no header, an empty "
    "value or another tag reach the default path.",
    tier=Tier.BETA,
    features=frozenset({Feature.HEADER_MATCH}),
    services=(TestService(name="tags-tagged"), TestService(name="tags-default")),
    ingresses=(
        ingress(
            "tags",
            rule(
                [HOST],
                path(to("tags-tagged"), match={TAG_HEADER: TAG}),
                path(to("tags-default")),
            ),
        ),
    ),
    checks=(
        Routes(request=request(HOST, headers={TAG_HEADER: TAG}), to=(seen("tags-tagged"),)),
        Routes(request=request(HOST), to=(seen("tags-default"),)),
        Routes(request=request(HOST, headers={TAG_HEADER: ""}), to=(seen("tags-default"),)),
        Routes(request=request(HOST, headers={TAG_HEADER: "other"}), to=(seen("tags-default"),)),
    ),
)
