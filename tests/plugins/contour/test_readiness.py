"""``check_ready``: Contour's HTTPProxy status → ready, waiting or failed."""

from __future__ import annotations

from typing import Any

import pytest

from kingress import Readiness
from kingress.testing import simple_ingress
from kingress_contour import ContourBackend


def proxy(
    name: str,
    status: dict[str, Any] | None = None,
    *,
    generation: int | None = None,
    fqdn: str = "hello.example.com",
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "projectcontour.io/v1",
        "kind": "HTTPProxy",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"virtualhost": {"fqdn": fqdn}},
    }
    if generation is not None:
        obj["metadata"]["generation"] = generation
    if status is not None:
        obj["status"] = status
    return obj


def valid(observed: int | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {"type": "Valid", "status": "True", "reason": "Valid"}
    if observed is not None:
        condition["observedGeneration"] = observed
    return {"currentStatus": "valid", "description": "Valid HTTPProxy", "conditions": [condition]}


INVALID = {
    "currentStatus": "invalid",
    "description": "At least one error present, see Errors for details",
    "conditions": [
        {
            "type": "Valid",
            "status": "False",
            "errors": [
                {
                    "type": "VirtualHostError",
                    "status": "True",
                    "reason": "DuplicateVhost",
                    "message": 'fqdn "hello.example.com" is used in multiple HTTPProxies',
                }
            ],
        }
    ],
}
DELEGATION = {
    "apiVersion": "projectcontour.io/v1",
    "kind": "TLSCertificateDelegation",
    "metadata": {"name": "d", "namespace": "certs"},
}


@pytest.mark.parametrize(
    ("applied", "expected"),
    [
        pytest.param(
            [proxy("a", valid()), proxy("b", valid()), DELEGATION],
            Readiness.serving(),
            id="all-valid",
        ),
        pytest.param(
            [proxy("a", valid(observed=3), generation=3)],
            Readiness.serving(),
            id="valid-current-generation",
        ),
        pytest.param(
            [],
            Readiness.waiting("HTTPProxyMissing", "No HTTPProxy has been applied yet"),
            id="nothing-applied",
        ),
        pytest.param(
            [proxy("a", valid()), proxy("b")],
            Readiness.waiting(
                "HTTPProxyNotReconciled",
                "Waiting for Contour to accept HTTPProxy default/b (hello.example.com) "
                "(NotReconciled)",
            ),
            id="no-status-yet",
        ),
        pytest.param(
            [
                proxy(
                    "a", {"currentStatus": "NotReconciled", "description": "Waiting for controller"}
                )
            ],
            Readiness.waiting(
                "HTTPProxyNotReconciled",
                "Waiting for Contour to accept HTTPProxy default/a (hello.example.com) "
                "(NotReconciled)",
            ),
            id="not-reconciled",
        ),
        pytest.param(
            [proxy("a", valid(observed=1), generation=2)],
            Readiness.waiting(
                "HTTPProxyNotReconciled",
                "Waiting for Contour to accept HTTPProxy default/a (hello.example.com) "
                "(status is for an older generation)",
            ),
            id="stale-valid-status",
        ),
        pytest.param(
            [proxy("a", valid()), proxy("b", INVALID), proxy("c")],
            Readiness.failed(
                "HTTPProxyInvalid",
                "HTTPProxy default/b (hello.example.com) is invalid: At least one error present, "
                'see Errors for details; DuplicateVhost: fqdn "hello.example.com" is used in '
                "multiple HTTPProxies",
            ),
            id="invalid-wins-over-waiting",
        ),
        pytest.param(
            [
                proxy("z", {"currentStatus": "invalid", "description": "Service not found"}),
                proxy(
                    "m",
                    {
                        "currentStatus": "orphaned",
                        "description": "this HTTPProxy is not part of a delegation chain "
                        "from a root HTTPProxy",
                    },
                ),
            ],
            Readiness.failed(
                "HTTPProxyOrphaned",
                "HTTPProxy default/m (hello.example.com) is orphaned: this HTTPProxy is not part "
                "of a delegation chain from a root HTTPProxy; HTTPProxy default/z "
                "(hello.example.com) is invalid: Service not found",
            ),
            id="every-failure-named-in-name-order",
        ),
        pytest.param(
            [proxy("a", {"currentStatus": "invalid"})],
            Readiness.failed(
                "HTTPProxyInvalid",
                "HTTPProxy default/a (hello.example.com) is invalid: no reason given",
            ),
            id="invalid-without-description",
        ),
    ],
)
def test_check_ready(applied: list[dict[str, Any]], expected: Readiness) -> None:
    assert ContourBackend().check_ready(simple_ingress(), applied) == expected
