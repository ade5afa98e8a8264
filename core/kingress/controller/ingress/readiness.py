"""Whether the data plane serves an ingress: the backend's verdict, then a gateway prober.

Readiness has two parts. The backend's ``check_ready`` looks at its objects as
read back from the cluster (a gateway may have written status on them); it is
third-party code, so it is guarded like ``translate``. When the backend says
ready, a ``GatewayProber`` gets the last word: ``OfflineProber`` (used by
``kingress reconcile`` and ``kingress translate``) assumes the data plane
serves what was applied; a cluster prober, or the local Envoy gateway, plugs in
here and probes the gateway with ``K-Network-Probe`` until the ingress's hash
comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kingress.api.ingress import ClusterIngress
from kingress.backends import Backend, Object, Readiness, Translation
from kingress.controller.ingress.status import Reason
from kingress.ingress.pipeline import Prepared


class GatewayProber(Protocol):
    """Decides whether the gateways answer for an ingress the backend reports as taken."""

    def probe(self, ingress: ClusterIngress, hash_: str, translation: Translation) -> Readiness:
        """Whether the gateways serve this exact version of ``ingress``.

        ``ingress`` is the validated, defaulted ingress (without the probe
        paths); ``hash_`` is the ``K-Network-Hash`` its probe paths return; the
        translation's load balancers say where the gateways are. Return
        ``Readiness.waiting()`` while probing goes on (the reconciler looks
        again later) and must not block.
        """
        ...


class OfflineProber:
    """Assumes the data plane serves whatever the backend reports as taken."""

    def probe(self, ingress: ClusterIngress, hash_: str, translation: Translation) -> Readiness:
        """Always serving."""
        return Readiness.serving()


def check_readiness(
    backend: Backend,
    prepared: Prepared,
    applied: Sequence[Object],
    translation: Translation,
    prober: GatewayProber,
) -> Readiness:
    """The backend's verdict on ``applied``, confirmed by ``prober`` when it says ready."""
    try:
        verdict: object = backend.check_ready(prepared.probed, applied)
    except Exception as error:
        return Readiness.failed(
            Reason.READINESS_CHECK_FAILED,
            f"backend {backend.name} check_ready raised {type(error).__name__}: {error}",
        )
    if not isinstance(verdict, Readiness):
        return Readiness.failed(
            Reason.READINESS_CHECK_FAILED,
            f"backend {backend.name} check_ready returned a {type(verdict).__name__}, "
            "not a Readiness",
        )
    if verdict.ready is not True:
        return verdict
    return prober.probe(prepared.ingress, prepared.hash, translation)
