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
from kingress.ingress.guard import CallGuard, Overdue
from kingress.ingress.messages import condition_message, condition_reason, raised
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
    guard: CallGuard,
) -> Readiness:
    """The backend's verdict on ``applied``, confirmed by ``prober`` when it says ready.

    ``check_ready`` runs under ``guard`` (a hung call is ``ReadinessCheckTimeout``);
    an exception or anything but a ``Readiness`` is ``ReadinessCheckFailed``; the
    verdict's reason and message are bounded before they reach the status.
    """
    try:
        verdict: object = guard.call(
            backend.name, "check_ready", lambda: backend.check_ready(prepared.probed, applied)
        )
    except Overdue as error:
        return Readiness.failed(Reason.READINESS_CHECK_TIMEOUT, str(error))
    except Exception as error:
        who = f"backend {backend.name} check_ready"
        return Readiness.failed(Reason.READINESS_CHECK_FAILED, raised(who, error))
    if not isinstance(verdict, Readiness) or verdict.ready not in (True, False, None):
        return Readiness.failed(
            Reason.READINESS_CHECK_FAILED,
            f"backend {backend.name} check_ready returned a {type(verdict).__name__}, "
            "not a Readiness",
        )
    if verdict.ready is not True:
        default = Reason.UNINITIALIZED if verdict.ready is None else Reason.READINESS_CHECK_FAILED
        return Readiness(
            ready=verdict.ready,
            reason=condition_reason(verdict.reason, default),
            message=condition_message(verdict.message),
        )
    return prober.probe(prepared.ingress, prepared.hash, translation)
