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
from typing import Any, Final

from kingress.cluster.port import ObjectRef
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch
from kingress.serving import access

#: Kubernetes' Deployment controller wording for the two states reported.
AVAILABLE: Final = ("MinimumReplicasAvailable", "Deployment has minimum availability.")
UNAVAILABLE: Final = (
    "MinimumReplicasUnavailable",
    "Deployment does not have minimum availability.",
)


def make_deployment_status(
    deployment: dict[str, Any], *, pending: bool, now: str
) -> dict[str, Any]:
    """The status Kubernetes would report with every replica up (or, pending, none).

    The condition keeps its previous times when it says the same as before.
    """
    spec = deployment.get("spec") or {}
    replicas = spec.get("replicas")
    replicas = 1 if replicas is None else int(replicas)
    ready = 0 if pending else replicas
    reason, message = UNAVAILABLE if pending else AVAILABLE
    condition = {
        "type": "Available",
        "status": "False" if pending else "True",
        "reason": reason,
        "message": message,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
    }
    old = next(
        (
            c
            for c in (deployment.get("status") or {}).get("conditions") or ()
            if c.get("type") == "Available"
        ),
        None,
    )
    if old is not None and all(old.get(k) == condition[k] for k in ("status", "reason", "message")):
        condition = old
    status: dict[str, Any] = {
        "observedGeneration": (deployment.get("metadata") or {}).get("generation"),
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": [condition],
    }
    if pending and replicas:
        status["unavailableReplicas"] = replicas
    return {k: v for k, v in status.items() if v}


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
