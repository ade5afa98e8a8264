"""A STAND-IN for the kubelet and Kubernetes' Deployment controller, for offline runs.

Offline there is no node to run pods, so no Deployment would ever become
available and no Revision would ever be Ready. ``kingress reconcile`` runs this
reconciler in their place: it marks every Deployment's status as Kubernetes
would once all its replicas are up (``Available=True``, replica counts equal
to ``spec.replicas``) — nothing has been pulled, started or probed. With
``pending=True`` it instead reports the replicas as not yet available
(``Available=False MinimumReplicasUnavailable``), the state a real cluster
shows while pods are starting, so Revisions stay ``Deploying``.

It is never part of a controller running against a real cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress.cluster.port import ObjectRef
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch
from kingress.localrt.status import make_deployment_status as kubernetes_status
from kingress.serving import access


def make_deployment_status(
    deployment: dict[str, Any], *, pending: bool, now: str
) -> dict[str, Any]:
    """The status Kubernetes would report with every replica up (or, pending, none).

    The same shape and words as the local runtime's (``kingress.localrt.status``),
    which does start a process per Deployment.
    """
    replicas = (deployment.get("spec") or {}).get("replicas")
    replicas = 1 if replicas is None else int(replicas)
    ready = 0 if pending else replicas
    return kubernetes_status(deployment, replicas=replicas, ready=ready, now=now)


class DeploymentAvailability:
    """Stand-in kubelet: reports each Deployment available (or, ``pending``, not yet)."""

    name: str = "stand-in-kubelet"
    kind = access.DEPLOYMENT

    def __init__(self, *, pending: bool = False) -> None:
        self.pending = pending

    def watches(self) -> Sequence[Watch]:
        """Only Deployments themselves."""
        return ()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Write the availability status when it is not already reported."""
        obj = access.get(ctx.cluster, access.DEPLOYMENT, ref.namespace, ref.name)
        if obj is None or access.is_deleting(obj):
            return Result()
        status = make_deployment_status(obj, pending=self.pending, now=stamp(ctx.clock))
        access.write_status(ctx.cluster, obj, status)
        return Result()
