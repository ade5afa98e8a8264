"""How a Revision's status follows its Deployment: Knative's revision lifecycle, pure.

A Revision is Ready when ``ResourcesAvailable`` and ``ContainerHealthy`` are.
Knative learns both from its autoscaler (the PodAutoscaler becomes ready once
the revision has endpoints); kingress has no autoscaler yet, so both follow the
Deployment instead:

- the Deployment failing to progress (``Progressing=False``, e.g.
  ``ProgressDeadlineExceeded``) or failing to create pods (``ReplicaFailure=True``)
  makes ``ResourcesAvailable`` False with the Deployment's reason and message,
  as Knative's ``TransformDeploymentStatus`` does;
- ``Available=True`` (enough replicas passed their readiness probe) makes both
  True;
- anything else is Unknown with reason ``Deploying``.

When no replica is available, the first pod (if any) tells more, as in
Knative's ``reconcileDeployment``: an unschedulable pod or an image that cannot
be pulled (after the deadline) makes ``ResourcesAvailable`` False, a crashing
container makes ``ContainerHealthy`` False (``ExitCode<n>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kingress.api.conditions import ConditionStatus
from kingress.api.kubenames import go_quote
from kingress.api.serving import (
    REVISION_CONDITIONS,
    REVISION_CONTAINER_HEALTHY,
    REVISION_RESOURCES_AVAILABLE,
    RevisionStatus,
)

DEPLOYING = "Deploying"
NOT_OWNED = "NotOwned"
PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded"


@dataclass(frozen=True, slots=True)
class WorkloadCondition:
    """One condition of a Deployment or Pod (Kubernetes' shape)."""

    type: str
    status: ConditionStatus
    reason: str = ""
    message: str = ""


def _conditions(raw: Any) -> tuple[WorkloadCondition, ...]:
    found = []
    for item in raw or ():
        if not isinstance(item, Mapping):
            continue
        try:
            status = ConditionStatus(str(item.get("status", "Unknown")))
        except ValueError:
            status = ConditionStatus.UNKNOWN
        found.append(
            WorkloadCondition(
                type=str(item.get("type", "")),
                status=status,
                reason=str(item.get("reason") or ""),
                message=str(item.get("message") or ""),
            )
        )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class DeploymentState:
    """What the revision reconciler reads from its Deployment."""

    replicas: int
    ready_replicas: int
    available_replicas: int
    conditions: tuple[WorkloadCondition, ...]

    @classmethod
    def of(cls, deployment: Mapping[str, Any]) -> DeploymentState:
        """Parse a wire Deployment (a missing ``spec.replicas`` means 1, as in Kubernetes)."""
        spec = deployment.get("spec") or {}
        status = deployment.get("status") or {}
        replicas = spec.get("replicas")
        return cls(
            replicas=1 if replicas is None else int(replicas),
            ready_replicas=int(status.get("readyReplicas") or 0),
            available_replicas=int(status.get("availableReplicas") or 0),
            conditions=_conditions(status.get("conditions")),
        )

    def condition(self, type_: str) -> WorkloadCondition | None:
        """The condition of the given type, if the Deployment reports it."""
        return next((c for c in self.conditions if c.type == type_), None)

    @property
    def timed_out(self) -> bool:
        """Knative's ``hasDeploymentTimedOut``: progressing stopped at its deadline."""
        progressing = self.condition("Progressing")
        return (
            progressing is not None
            and progressing.status is ConditionStatus.FALSE
            and progressing.reason == PROGRESS_DEADLINE_EXCEEDED
        )


@dataclass(frozen=True, slots=True)
class PodState:
    """What the revision reconciler reads from one of its pods."""

    unschedulable: WorkloadCondition | None
    #: The user container's last termination: (exit code, message).
    terminated: tuple[int, str] | None
    #: The user container's waiting state: (reason, message).
    waiting: tuple[str, str] | None

    @classmethod
    def of(cls, pod: Mapping[str, Any], container: str) -> PodState:
        """Parse a wire Pod, looking at the container named ``container``."""
        status = pod.get("status") or {}
        unschedulable = next(
            (
                c
                for c in _conditions(status.get("conditions"))
                if c.type == "PodScheduled" and c.status is ConditionStatus.FALSE
            ),
            None,
        )
        terminated: tuple[int, str] | None = None
        waiting: tuple[str, str] | None = None
        for item in status.get("containerStatuses") or ():
            if item.get("name") != container:
                continue
            last = (item.get("lastState") or {}).get("terminated")
            if last:
                terminated = (int(last.get("exitCode") or 0), str(last.get("message") or ""))
            state = (item.get("state") or {}).get("waiting")
            if state:
                waiting = (str(state.get("reason") or ""), str(state.get("message") or ""))
            break
        return cls(unschedulable=unschedulable, terminated=terminated, waiting=waiting)


def _mark(
    status: RevisionStatus,
    type_: str,
    value: ConditionStatus,
    reason: str,
    message: str,
    now: str,
) -> RevisionStatus:
    conditions = REVISION_CONDITIONS.set(status.conditions, type_, value, reason, message, now)
    return status.model_copy(update={"conditions": conditions})


def initialize_revision(status: RevisionStatus, now: str) -> RevisionStatus:
    """Every Revision condition present (missing ones Unknown)."""
    return status.model_copy(
        update={"conditions": REVISION_CONDITIONS.initialize(status.conditions, now)}
    )


def mark_deploying(status: RevisionStatus, now: str) -> RevisionStatus:
    """Both dependents Unknown ``Deploying`` while the Deployment comes up."""
    for type_ in (REVISION_RESOURCES_AVAILABLE, REVISION_CONTAINER_HEALTHY):
        status = _mark(status, type_, ConditionStatus.UNKNOWN, DEPLOYING, "", now)
    return status


def mark_resource_not_owned(
    status: RevisionStatus, kind: str, name: str, now: str
) -> RevisionStatus:
    """Knative's ``MarkResourceNotOwned``."""
    message = f"There is an existing {kind} {go_quote(name)} that we do not own."
    return _mark(
        status, REVISION_RESOURCES_AVAILABLE, ConditionStatus.FALSE, NOT_OWNED, message, now
    )


def _deployment_failure(deployment: DeploymentState) -> WorkloadCondition | None:
    """The first reason the Deployment cannot become available (Knative's order)."""
    progressing = deployment.condition("Progressing")
    if progressing is not None and progressing.status is ConditionStatus.FALSE:
        return progressing
    replica_failure = deployment.condition("ReplicaFailure")
    if replica_failure is not None and replica_failure.status is ConditionStatus.TRUE:
        return replica_failure
    return None


def propagate_deployment_status(
    status: RevisionStatus, deployment: DeploymentState, now: str
) -> RevisionStatus:
    """The Revision's conditions and replica counts from its Deployment."""
    status = status.model_copy(
        update={
            "desired_replicas": deployment.replicas,
            "actual_replicas": deployment.ready_replicas,
        }
    )
    failure = _deployment_failure(deployment)
    if failure is not None:
        return _mark(
            status,
            REVISION_RESOURCES_AVAILABLE,
            ConditionStatus.FALSE,
            failure.reason,
            failure.message,
            now,
        )
    available = deployment.condition("Available")
    if available is not None and available.status is ConditionStatus.TRUE:
        for type_ in (REVISION_RESOURCES_AVAILABLE, REVISION_CONTAINER_HEALTHY):
            status = _mark(status, type_, ConditionStatus.TRUE, "", "", now)
        return status
    return mark_deploying(status, now)


def apply_pod_state(
    status: RevisionStatus, pod: PodState, deployment: DeploymentState, now: str
) -> RevisionStatus:
    """What a pod of a Deployment with no available replica says about the Revision."""
    if pod.unschedulable is not None:
        status = _mark(
            status,
            REVISION_RESOURCES_AVAILABLE,
            ConditionStatus.FALSE,
            pod.unschedulable.reason,
            pod.unschedulable.message,
            now,
        )
    if pod.terminated is not None:
        code, message = pod.terminated
        return _mark(
            status,
            REVISION_CONTAINER_HEALTHY,
            ConditionStatus.FALSE,
            f"ExitCode{code}",
            f"Container failed with: {message}",
            now,
        )
    if pod.waiting is not None and deployment.timed_out:
        reason, message = pod.waiting
        return _mark(
            status, REVISION_RESOURCES_AVAILABLE, ConditionStatus.FALSE, reason, message, now
        )
    return status
