"""``grpc/split``: two gRPC backends 50/50, both reached (Knative ``TestGRPCSplit``)."""

from __future__ import annotations

from kingress import Feature
from kingress_conformance.case import Case, ServerKind, TestService, Tier
from kingress_conformance.casekit import ingress, path, public_host, rule, to
from kingress_conformance.checks import GrpcPing
from kingress_conformance.requests import request

HOST = public_host("grpc-split")

CASE = Case(
    key="grpc/split",
    description="Streams split 50/50 between two gRPC backends: both suffixes are seen "
    "within 100 streams of 10 round trips each.",
    tier=Tier.STABLE,
    features=frozenset({Feature.GRPC, Feature.H2C, Feature.WEIGHTED_SPLIT}),
    services=(
        TestService(name="grpc-a", kind=ServerKind.GRPC, h2c=True, suffix="-a"),
        TestService(name="grpc-b", kind=ServerKind.GRPC, h2c=True, suffix="-b"),
    ),
    ingresses=(ingress("grpc-split", rule([HOST], path(to("grpc-a", 50), to("grpc-b", 50)))),),
    checks=(
        GrpcPing(
            request=request(HOST), backends=("grpc-a", "grpc-b"), round_trips=10, max_streams=100
        ),
    ),
)
