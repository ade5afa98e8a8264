"""``websocket``: 100 round trips on one websocket (Knative ``TestWebsocket``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import WebsocketEcho
from kingress_conformance.requests import request

HOST = public_host("websocket")

CASE = Case(
    key="websocket",
    description="A websocket upgrade through the gateway echoes 100 messages on one connection.",
    tier=Tier.STABLE,
    features=frozenset({Feature.WEBSOCKET}),
    services=(TestService(name="websocket", kind=ServerKind.WEBSOCKET, suffix="-ws"),),
    ingresses=(simple("websocket", HOST, "websocket"),),
    checks=(WebsocketEcho(request=request(HOST), backends=("websocket",)),),
)
