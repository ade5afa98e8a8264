"""``grpc``: one bidirectional gRPC stream, 100 round trips (Knative ``TestGRPC``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import GrpcPing
from kingress_conformance.requests import request

HOST = public_host("grpc")

CASE = Case(
    key="grpc",
    description="A gRPC ping stream through the gateway echoes 100 messages with the "
    "backend's suffix (h2c upstream).",
    tier=Tier.STABLE,
    features=frozenset({Feature.GRPC, Feature.H2C}),
    services=(TestService(name="grpc", kind=ServerKind.GRPC, h2c=True, suffix="-grpc"),),
    ingresses=(simple("grpc", HOST, "grpc"),),
    checks=(GrpcPing(request=request(HOST), backends=("grpc",), round_trips=100),),
)
