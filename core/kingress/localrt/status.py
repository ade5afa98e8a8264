"""The Deployment status the local runtime reports, in Kubernetes' own shape and words.

Kubernetes' Deployment controller writes the replica counts and two
conditions; Knative's Revision reconciler reads them (``Available=True`` makes a
Revision Ready, ``Progressing=False`` fails it). The local runtime reports its
one process the same way:

- process answering: every count 1, ``Available=True MinimumReplicasAvailable``,
  ``Progressing=True NewReplicaSetAvailable``;
- process starting, restarting or failed: ``Available=False
  MinimumReplicasUnavailable``, ``Progressing=True ReplicaSetUpdated``, one
  unavailable replica;
- scaled to zero: no counts, both conditions True.

It never reports ``Progressing=False`` (Kubernetes does after
``progressDeadlineSeconds``): a process that fails to start is retried.
Messages are Kubernetes' for a Deployment without a ReplicaSet, since there is none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from kingress.cluster.port import Object

AVAILABLE: Final = ("MinimumReplicasAvailable", "Deployment has minimum availability.")
UNAVAILABLE: Final = (
    "MinimumReplicasUnavailable",
    "Deployment does not have minimum availability.",
)
PROGRESSED: Final = ("NewReplicaSetAvailable", 'Deployment "{name}" has successfully progressed.')
PROGRESSING: Final = ("ReplicaSetUpdated", 'Deployment "{name}" is progressing.')


def condition(
    old: Iterable[Mapping[str, Any]],
    type_: str,
    available: bool,
    reason: str,
    message: str,
    now: str,
) -> dict[str, Any]:
    """A condition as Kubernetes' Deployment controller updates it.

    Unchanged status, reason and message keep the old condition as it was
    (so a reconcile with nothing new writes nothing); a changed status moves
    ``lastTransitionTime``; any change moves ``lastUpdateTime``.
    """
    status = "True" if available else "False"
    previous = next((dict(c) for c in old if c.get("type") == type_), None)
    if previous is not None and (
        previous.get("status"),
        previous.get("reason"),
        previous.get("message"),
    ) == (status, reason, message):
        return previous
    transition = now
    if previous is not None and previous.get("status") == status:
        transition = previous.get("lastTransitionTime") or now
    return {
        "type": type_,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    }


def make_deployment_status(deployment: Object, *, replicas: int, ready: int, now: str) -> Object:
    """The status for ``replicas`` processes wanted (0 or 1), ``ready`` of them answering."""
    meta = deployment.get("metadata") or {}
    old = (deployment.get("status") or {}).get("conditions") or ()
    available = ready >= replicas
    reason, message = AVAILABLE if available else UNAVAILABLE
    progress_reason, progress_message = PROGRESSED if available else PROGRESSING
    status: Object = {
        "observedGeneration": meta.get("generation"),
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": replicas - ready,
        "conditions": [
            condition(old, "Available", available, reason, message, now),
            condition(
                old,
                "Progressing",
                True,
                progress_reason,
                progress_message.format(name=meta.get("name", "")),
                now,
            ),
        ],
    }
    return {key: value for key, value in status.items() if value}
