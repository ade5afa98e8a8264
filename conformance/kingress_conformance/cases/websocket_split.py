"""``websocket/split``: two websocket backends 50/50 (Knative ``TestWebsocketSplit``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import WebsocketEcho
from kingress_conformance.requests import request

HOST = public_host("websocket-split")

CASE = Case(
    key="websocket/split",
    description="Websocket connections split 50/50: both backends' suffixes are seen within "
    "100 connections.",
    tier=Tier.STABLE,
    features=frozenset({Feature.WEBSOCKET, Feature.WEIGHTED_SPLIT}),
    services=(
        TestService(name="ws-a", kind=ServerKind.WEBSOCKET, suffix="-a"),
        TestService(name="ws-b", kind=ServerKind.WEBSOCKET, suffix="-b"),
    ),
    ingresses=(ingress("websocket-split", rule([HOST], path(to("ws-a", 50), to("ws-b", 50)))),),
    checks=(WebsocketEcho(request=request(HOST), backends=("ws-a", "ws-b"), round_trips=10),),
)
