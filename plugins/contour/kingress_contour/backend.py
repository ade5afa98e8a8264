"""The Contour backend: ClusterIngress → Contour HTTPProxy (projectcontour.io/v1).

Modelled on Knative's net-contour: one root HTTPProxy per host, ExternalIP
hosts on the external Contour installation and ClusterLocal hosts (with their
short forms) on the internal one. ``translate`` and ``check_ready`` are pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress import (
    ClusterIngress,
    Feature,
    Kind,
    Readiness,
    ResourceKind,
    TranslateContext,
    Translation,
    TranslationError,
)
from kingress_contour.config import ConfigError, ContourConfig
from kingress_contour.constants import (
    API_VERSION,
    BACKEND_NAME,
    CONTOUR_INGRESS_CLASS,
    DELEGATION_KIND,
)
from kingress_contour.readiness import proxies_readiness
from kingress_contour.resources import make_translation

#: What Contour can satisfy. Not claimed (see docs/backends/contour.md):
#: ``host-rewrite`` — rewriting works, but the case routes to an ExternalName
#: Service, which Contour ignores unless ``enableExternalNameService`` is set
#: (net-contour skips this test too); ``update`` — without net-contour's
#: endpoint-warming rollout a switch to new Services can answer 503 until
#: Envoy has their endpoints.
FEATURES: frozenset[Feature] = frozenset(Feature) - {Feature.HOST_REWRITE, Feature.UPDATE}


class ContourBackend:
    """Realises ClusterIngresses of class ``contour.ingress.networking.knative.dev``."""

    name: str = BACKEND_NAME
    ingress_classes: frozenset[str] = frozenset({CONTOUR_INGRESS_CLASS})
    features: frozenset[Feature] = FEATURES
    #: A TLSCertificateDelegation lives in the secret's namespace (the core
    #: allows it only where the ingress's own spec.tls names that namespace).
    cross_namespace_kinds: frozenset[Kind] = frozenset(
        {Kind(API_VERSION.partition("/")[0], DELEGATION_KIND)}
    )
    resource_kinds: tuple[ResourceKind, ...] = (
        ResourceKind(api_version="projectcontour.io/v1", kind="HTTPProxy", plural="httpproxies"),
        ResourceKind(
            api_version="projectcontour.io/v1",
            kind="TLSCertificateDelegation",
            plural="tlscertificatedelegations",
        ),
    )

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """One root HTTPProxy per host (plus TLS delegations) and both load balancers."""
        try:
            config = ContourConfig.from_mapping(context.config)
        except ConfigError as error:
            raise TranslationError(
                f"config-contour: {error}", reason="InvalidConfiguration"
            ) from error
        return make_translation(ingress, context, config)

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[dict[str, Any]]) -> Readiness:
        """Ready when Contour marked every HTTPProxy valid; see ``kingress_contour.readiness``."""
        return proxies_readiness(applied)

    def __repr__(self) -> str:
        return f"ContourBackend(classes={sorted(self.ingress_classes)})"
