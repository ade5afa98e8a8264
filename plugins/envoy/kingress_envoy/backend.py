"""The ``envoy`` backend: ClusterIngress → one EnvoyIngressConfig of Envoy v3 fragments.

Like Knative's Kourier, nothing in between: the fragments are Envoy's own
virtual hosts, TLS filter-chain requests and clusters. ``translate`` is per
ingress and pure, so an update costs O(1) translation; the gateway manager
(``kingress_envoy.gateway``) merges every ingress's fragments into one snapshot
and programs a real Envoy with it; the runner (``kingress_envoy.runner``) writes
which probe hash it serves into the object's status, which ``check_ready``
reads. ``local_data_plane`` offers that Envoy and its runner to ``kingress
demo`` and ``kingress dev``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress import (
    ALL_FEATURES,
    ClusterIngress,
    DataPlaneSettings,
    Feature,
    Readiness,
    ResourceKind,
    TranslateContext,
    Translation,
)
from kingress_envoy.config import EnvoyConfig
from kingress_envoy.dataplane import EnvoyDataPlane
from kingress_envoy.local import EnvoyLocalGateway
from kingress_envoy.names import API_VERSION, KIND
from kingress_envoy.readiness import readiness
from kingress_envoy.resources import make_ingress_config

#: The ingress class this backend claims.
INGRESS_CLASS = "envoy.ingress.networking.knative.dev"


class EnvoyBackend:
    """ClusterIngress to Envoy fragments for a local Envoy run by kingress."""

    name = "envoy"
    ingress_classes: frozenset[str] = frozenset({INGRESS_CLASS})
    #: Envoy expresses the whole contract (see docs/backends/envoy.md for how each maps).
    features: frozenset[Feature] = ALL_FEATURES
    resource_kinds: tuple[ResourceKind, ...] = (
        ResourceKind(api_version=API_VERSION, kind=KIND, plural="envoyingressconfigs"),
    )

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """One EnvoyIngressConfig for ``ingress``; pure."""
        config = EnvoyConfig.from_data(context.config)
        return Translation(
            objects=(make_ingress_config(ingress, context, config),),
            public_load_balancer=config.load_balancer(private=False),
            private_load_balancer=config.load_balancer(private=True),
        )

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready once the gateway reports serving this ingress's probe hash."""
        return readiness(ingress, applied)

    def local_data_plane(self, settings: DataPlaneSettings) -> EnvoyDataPlane:
        """A real Envoy on loopback and the runner programming it (not started yet)."""
        return EnvoyDataPlane(settings)

    def local_gateway(self) -> EnvoyLocalGateway:
        """A real Envoy on loopback for the conformance suite's ``local`` depth."""
        return EnvoyLocalGateway()
