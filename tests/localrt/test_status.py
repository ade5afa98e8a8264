"""The Deployment status the runtime reports, in Kubernetes' shape."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.cluster.port import Object
from kingress.localrt.status import make_deployment_status
from tests.localrt.builders import deployment

T0 = "2026-01-01T00:00:00Z"
T1 = "2026-01-01T00:01:00Z"
NAME = "r-deployment"


def _deployment(status: dict[str, Any] | None = None) -> Object:
    obj = deployment("r")
    obj["metadata"]["generation"] = 3
    if status is not None:
        obj["status"] = status
    return obj


def _condition(type_: str, status: str, reason: str, message: str, time: str) -> dict[str, str]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastUpdateTime": time,
        "lastTransitionTime": time,
    }


AVAILABLE = _condition(
    "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", T0
)
PROGRESSED = _condition(
    "Progressing",
    "True",
    "NewReplicaSetAvailable",
    f'Deployment "{NAME}" has successfully progressed.',
    T0,
)
UNAVAILABLE = _condition(
    "Available",
    "False",
    "MinimumReplicasUnavailable",
    "Deployment does not have minimum availability.",
    T0,
)
PROGRESSING = _condition(
    "Progressing", "True", "ReplicaSetUpdated", f'Deployment "{NAME}" is progressing.', T0
)


@pytest.mark.parametrize(
    ("replicas", "ready", "want"),
    [
        pytest.param(
            1,
            1,
            {
                "observedGeneration": 3,
                "replicas": 1,
                "updatedReplicas": 1,
                "readyReplicas": 1,
                "availableReplicas": 1,
                "conditions": [AVAILABLE, PROGRESSED],
            },
            id="serving",
        ),
        pytest.param(
            1,
            0,
            {
                "observedGeneration": 3,
                "replicas": 1,
                "updatedReplicas": 1,
                "unavailableReplicas": 1,
                "conditions": [UNAVAILABLE, PROGRESSING],
            },
            id="not-answering",
        ),
        pytest.param(
            0,
            0,
            {"observedGeneration": 3, "conditions": [AVAILABLE, PROGRESSED]},
            id="scaled-to-zero",
        ),
    ],
)
def test_make_deployment_status(replicas: int, ready: int, want: Object) -> None:
    assert make_deployment_status(_deployment(), replicas=replicas, ready=ready, now=T0) == want


def test_an_unchanged_status_keeps_its_times() -> None:
    first = make_deployment_status(_deployment(), replicas=1, ready=1, now=T0)
    again = make_deployment_status(_deployment(first), replicas=1, ready=1, now=T1)
    assert again == first


def test_a_change_of_status_moves_both_times_a_change_of_reason_only_the_update_time() -> None:
    serving = make_deployment_status(_deployment(), replicas=1, ready=1, now=T0)
    down = make_deployment_status(_deployment(serving), replicas=1, ready=0, now=T1)
    available, progressing = down["conditions"]
    assert (available["status"], available["lastTransitionTime"]) == ("False", T1)
    assert available["lastUpdateTime"] == T1
    assert (progressing["reason"], progressing["lastTransitionTime"]) == ("ReplicaSetUpdated", T0)
    assert progressing["lastUpdateTime"] == T1
