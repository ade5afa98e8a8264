"""kingress_istio: the Istio ingress backend for kingress.

A ClusterIngress of class ``istio.ingress.networking.knative.dev`` becomes
Istio ``VirtualService`` objects bound to Knative's shared ingress gateways
(and, for TLS, one per-ingress ``Gateway``), the way Knative's net-istio does
it. The backend is registered through the ``kingress`` entry point ``istio``
(``kingress_istio.plugin``); nothing here is meant to be imported by other
plugins.
"""

from __future__ import annotations

from kingress_istio.backend import FEATURES, IstioBackend

__all__ = ["FEATURES", "IstioBackend"]
