"""The Revision reconciler, table-driven: Deployment, Kubernetes Service, readiness."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api.annotations import NOT_IMPLEMENTED_ANNOTATION, REVISION_LABEL
from kingress.api.serving import ContainerPort, RevisionStatus
from kingress.cluster.port import ObjectRef
from kingress.serving import access
from kingress.serving.resources.deployment import make_deployment
from kingress.serving.resources.service import make_kubernetes_service
from kingress.serving.revision import NOT_IMPLEMENTED, RevisionReconciler
from tests.serving.builders import (
    cond,
    conditions,
    config_of,
    revision_of,
    service,
)
from tests.serving.tabletest import Row, reconcile_again, run

NS = "ns"
KEY = ObjectRef(access.REVISION, NS, "svc-00001")
REV = revision_of(config_of(service(NS, "svc")), 1)
DEPLOYMENT_NAME = "svc-00001-deployment"
TIMED_OUT = 'ReplicaSet "svc-00001-deployment-5d" has timed out progressing.'


def deployment(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    """The revision's Deployment with a status (and spec changes)."""
    built = make_deployment(REV)
    built["spec"].update(spec)
    if status is not None:
        built["status"] = status
    return built


def deployment_status(*items: dict[str, str], available: int = 0) -> dict[str, Any]:
    """A Deployment status: conditions and available (and ready) replicas."""
    return {
        "replicas": 1,
        "readyReplicas": available,
        "availableReplicas": available,
        "conditions": list(items),
    }


def dcond(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    """A Deployment or Pod condition."""
    return {"type": type_, "status": status, "reason": reason, "message": message}


def pod(status: dict[str, Any]) -> dict[str, Any]:
    """A pod of the revision."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "svc-00001-deployment-5d-x",
            "namespace": NS,
            "labels": {REVISION_LABEL: "svc-00001"},
        },
        "status": status,
    }


def rstatus(*items: object, actual: int | None = 0, desired: int | None = 1) -> dict[str, Any]:
    """The Revision status the reconciler writes around the given conditions."""
    return RevisionStatus(
        observed_generation=1,
        conditions=conditions(*items),  # type: ignore[arg-type]
        annotations={NOT_IMPLEMENTED_ANNOTATION: NOT_IMPLEMENTED},
        service_name="svc-00001",
        actual_replicas=actual,
        desired_replicas=desired,
    ).to_dict()


DEPLOYING = (
    cond("ContainerHealthy", "Unknown", "Deploying"),
    cond("Ready", "Unknown", "Deploying"),
    cond("ResourcesAvailable", "Unknown", "Deploying"),
)
READY = (cond("ContainerHealthy"), cond("Ready"), cond("ResourcesAvailable"))
AVAILABLE = dcond(
    "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."
)


def failed(reason: str, message: str) -> tuple[object, ...]:
    return (
        cond("ContainerHealthy", "Unknown"),
        cond("Ready", "False", reason, message),
        cond("ResourcesAvailable", "False", reason, message),
    )


H2C_REV = REV.model_copy(
    update={
        "spec": REV.spec.model_copy(
            update={
                "containers": (
                    REV.spec.containers[0].model_copy(
                        update={"ports": (ContainerPort(name="h2c", container_port=8081),)}
                    ),
                )
            }
        )
    }
)

ROWS = [
    Row(
        name="creates-deployment-and-service",
        key=KEY,
        objects=[REV],
        want_creates=[make_deployment(REV), make_kubernetes_service(REV)],
        want_status=[("Revision", "svc-00001", rstatus(*DEPLOYING, actual=0))],
    ),
    Row(
        name="h2c-revision",
        key=KEY,
        objects=[H2C_REV],
        want_creates=[make_deployment(H2C_REV), make_kubernetes_service(H2C_REV)],
        want_status=[("Revision", "svc-00001", rstatus(*DEPLOYING, actual=0))],
    ),
    Row(
        name="ready-when-the-deployment-is-available",
        key=KEY,
        objects=[
            REV,
            deployment(deployment_status(AVAILABLE, available=1)),
            make_kubernetes_service(REV),
        ],
        want_status=[("Revision", "svc-00001", rstatus(*READY, actual=1))],
    ),
    Row(
        name="pending-deployment-keeps-deploying",
        key=KEY,
        objects=[
            REV,
            deployment(
                deployment_status(
                    dcond(
                        "Available",
                        "False",
                        "MinimumReplicasUnavailable",
                        "Deployment does not have minimum availability.",
                    )
                )
            ),
            make_kubernetes_service(REV),
        ],
        want_status=[("Revision", "svc-00001", rstatus(*DEPLOYING))],
    ),
    Row(
        name="progress-deadline-exceeded",
        key=KEY,
        objects=[
            REV,
            deployment(
                deployment_status(
                    dcond("Progressing", "False", "ProgressDeadlineExceeded", TIMED_OUT)
                )
            ),
            make_kubernetes_service(REV),
        ],
        want_status=[
            ("Revision", "svc-00001", rstatus(*failed("ProgressDeadlineExceeded", TIMED_OUT)))
        ],
    ),
    Row(
        name="replica-failure",
        key=KEY,
        objects=[
            REV,
            deployment(
                deployment_status(
                    dcond("ReplicaFailure", "True", "FailedCreate", 'pods "x" is forbidden: quota')
                )
            ),
            make_kubernetes_service(REV),
        ],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(*failed("FailedCreate", 'pods "x" is forbidden: quota')),
            )
        ],
    ),
    Row(
        name="crashing-container",
        key=KEY,
        objects=[
            REV,
            deployment(deployment_status()),
            make_kubernetes_service(REV),
            pod(
                {
                    "containerStatuses": [
                        {
                            "name": "user-container",
                            "lastState": {"terminated": {"exitCode": 1, "message": "boom"}},
                            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                        }
                    ]
                }
            ),
        ],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(
                    cond("ContainerHealthy", "False", "ExitCode1", "Container failed with: boom"),
                    cond("Ready", "False", "ExitCode1", "Container failed with: boom"),
                    cond("ResourcesAvailable", "Unknown", "Deploying"),
                ),
            )
        ],
    ),
    Row(
        name="image-never-pulled-by-the-deadline",
        key=KEY,
        objects=[
            REV,
            deployment(
                deployment_status(
                    dcond("Progressing", "False", "ProgressDeadlineExceeded", TIMED_OUT)
                )
            ),
            make_kubernetes_service(REV),
            pod(
                {
                    "containerStatuses": [
                        {
                            "name": "user-container",
                            "state": {
                                "waiting": {
                                    "reason": "ImagePullBackOff",
                                    "message": 'Back-off pulling image "registry.example/hello"',
                                }
                            },
                        }
                    ]
                }
            ),
        ],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(
                    *failed("ImagePullBackOff", 'Back-off pulling image "registry.example/hello"')
                ),
            )
        ],
    ),
    Row(
        name="unschedulable-pod",
        key=KEY,
        objects=[
            REV,
            deployment(deployment_status()),
            make_kubernetes_service(REV),
            pod(
                {
                    "conditions": [
                        dcond("PodScheduled", "False", "Unschedulable", "0/1 nodes are available")
                    ]
                }
            ),
        ],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(
                    cond("ContainerHealthy", "Unknown", "Deploying"),
                    cond("Ready", "False", "Unschedulable", "0/1 nodes are available"),
                    cond("ResourcesAvailable", "False", "Unschedulable", "0/1 nodes are available"),
                ),
            )
        ],
    ),
    Row(
        name="deployment-not-owned",
        key=KEY,
        objects=[
            REV,
            {**deployment(), "metadata": {"name": DEPLOYMENT_NAME, "namespace": NS}},
        ],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(
                    cond("ContainerHealthy", "Unknown"),
                    cond(
                        "Ready",
                        "False",
                        "NotOwned",
                        f'There is an existing Deployment "{DEPLOYMENT_NAME}" that we do not own.',
                    ),
                    cond(
                        "ResourcesAvailable",
                        "False",
                        "NotOwned",
                        f'There is an existing Deployment "{DEPLOYMENT_NAME}" that we do not own.',
                    ),
                    actual=None,
                    desired=None,
                ),
            )
        ],
    ),
    Row(
        name="kubernetes-service-not-owned",
        key=KEY,
        objects=[
            REV,
            {**make_kubernetes_service(REV), "metadata": {"name": "svc-00001", "namespace": NS}},
        ],
        want_creates=[make_deployment(REV)],
        want_status=[
            (
                "Revision",
                "svc-00001",
                rstatus(
                    cond("ContainerHealthy", "Unknown"),
                    cond(
                        "Ready",
                        "False",
                        "NotOwned",
                        'There is an existing Service "svc-00001" that we do not own.',
                    ),
                    cond(
                        "ResourcesAvailable",
                        "False",
                        "NotOwned",
                        'There is an existing Service "svc-00001" that we do not own.',
                    ),
                    actual=None,
                    desired=None,
                ),
            )
        ],
    ),
    Row(
        name="drifted-deployment-is-put-back",
        key=KEY,
        objects=[
            REV,
            deployment(deployment_status(AVAILABLE, available=3), replicas=3),
            make_kubernetes_service(REV),
        ],
        want_updates=[make_deployment(REV)],
        want_status=[("Revision", "svc-00001", rstatus(*READY, actual=3))],
    ),
    Row(name="deleted-revision-is-a-no-op", key=KEY),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_reconcile(row: Row) -> None:
    run(row, RevisionReconciler())


@pytest.mark.parametrize("row", [r for r in ROWS if r.want_err is None], ids=lambda r: r.name)
def test_second_reconcile_writes_nothing(row: Row) -> None:
    outcome = run(row, RevisionReconciler())
    assert reconcile_again(outcome, row.key, RevisionReconciler()) == []
