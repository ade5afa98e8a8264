"""The stand-in kubelet: Deployments reported available (or pending), idempotently."""

from __future__ import annotations

import pytest

from kingress.cluster.port import ObjectRef
from kingress.serving import access
from kingress.serving.resources.deployment import make_deployment
from kingress.serving.standin_kubelet import DeploymentAvailability
from tests.serving.builders import config_of, revision_of, service
from tests.serving.tabletest import Row, reconcile_again, run

DEPLOYMENT = make_deployment(revision_of(config_of(service("ns", "svc")), 1))
KEY = ObjectRef(access.DEPLOYMENT, "ns", "svc-00001-deployment")

ROWS = [
    Row(
        name="available",
        key=KEY,
        objects=[DEPLOYMENT],
        want_status=[
            (
                "Deployment",
                "svc-00001-deployment",
                {
                    "observedGeneration": 1,
                    "replicas": 1,
                    "updatedReplicas": 1,
                    "readyReplicas": 1,
                    "availableReplicas": 1,
                    "conditions": [
                        {
                            "type": "Available",
                            "status": "True",
                            "reason": "MinimumReplicasAvailable",
                            "message": "Deployment has minimum availability.",
                        },
                        {
                            "type": "Progressing",
                            "status": "True",
                            "reason": "NewReplicaSetAvailable",
                            "message": (
                                'Deployment "svc-00001-deployment" has successfully progressed.'
                            ),
                        },
                    ],
                },
            )
        ],
    ),
    Row(name="missing", key=KEY),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_available(row: Row) -> None:
    outcome = run(row, DeploymentAvailability())
    assert reconcile_again(outcome, row.key, DeploymentAvailability()) == []


def test_pending() -> None:
    row = Row(
        name="pending",
        key=KEY,
        objects=[DEPLOYMENT],
        want_status=[
            (
                "Deployment",
                "svc-00001-deployment",
                {
                    "observedGeneration": 1,
                    "replicas": 1,
                    "updatedReplicas": 1,
                    "unavailableReplicas": 1,
                    "conditions": [
                        {
                            "type": "Available",
                            "status": "False",
                            "reason": "MinimumReplicasUnavailable",
                            "message": "Deployment does not have minimum availability.",
                        },
                        {
                            "type": "Progressing",
                            "status": "True",
                            "reason": "ReplicaSetUpdated",
                            "message": 'Deployment "svc-00001-deployment" is progressing.',
                        },
                    ],
                },
            )
        ],
    )
    outcome = run(row, DeploymentAvailability(pending=True))
    assert reconcile_again(outcome, row.key, DeploymentAvailability(pending=True)) == []
