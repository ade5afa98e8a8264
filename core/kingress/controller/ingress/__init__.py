"""The ClusterIngress controller: class dispatch, guarded translation, apply, readiness, status.

Construct it with the backends and (optionally) a readiness prober::

    IngressReconciler(build_registry(), prober=OfflineProber(), guard=CallGuard(deadline=10))

and run it like any reconciler (``controller.settle.settle`` offline).
"""

from __future__ import annotations

from kingress.controller.ingress.context import IngressSettings, read_context
from kingress.controller.ingress.foreign import FINALIZER
from kingress.controller.ingress.hosts import GRANTED_HOSTS
from kingress.controller.ingress.readiness import GatewayProber, OfflineProber
from kingress.controller.ingress.reconciler import CLUSTER_INGRESS, IngressReconciler
from kingress.controller.ingress.status import APPLIED_KINDS, Reason
from kingress.ingress.guard import CallGuard

__all__ = [
    "APPLIED_KINDS",
    "CLUSTER_INGRESS",
    "FINALIZER",
    "GRANTED_HOSTS",
    "CallGuard",
    "GatewayProber",
    "IngressReconciler",
    "IngressSettings",
    "OfflineProber",
    "Reason",
    "read_context",
]
