"""Route reconcile rows about children: ownership, ingress readiness, load balancers."""

from __future__ import annotations

import pytest

from kingress.api.annotations import HTTP_PROTOCOL
from kingress.api.conditions import ConditionStatus
from kingress.cluster.port import Kind
from kingress.route.lookups import CONFIGURATION
from tests.route.builders import NS, endpoints, mark_ingress, observed, service, with_annotations
from tests.route.table import (
    NOT_CONFIGURED,
    STATUS_ONLY,
    Row,
    cfg,
    delete,
    missing_config,
    publish_second_revision,
    rev,
    run_row,
    set_status,
    simple_route,
    two_load_balancers,
)

ROWS = [
    pytest.param(
        Row(
            (simple_route(), cfg(), rev(), service(NS, "r")),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": ("True", None, None),
                "IngressReady": (
                    "False",
                    "NotOwned",
                    'There is an existing placeholder Service "r" that we do not own.',
                ),
            },
        ),
        id="placeholder-service-not-owned",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev(), endpoints(NS, "r")),
            STATUS_ONLY,
            {
                "IngressReady": (
                    "False",
                    "NotOwned",
                    'There is an existing placeholder Endpoint "r" that we do not own.',
                ),
            },
        ),
        id="placeholder-endpoints-not-owned",
    ),
    pytest.param(
        Row(
            (
                simple_route(),
                cfg(),
                rev(),
                {
                    "apiVersion": "networking.internal.knative.dev/v1alpha1",
                    "kind": "ClusterIngress",
                    "metadata": {"name": "r", "namespace": NS},
                    "spec": {"rules": []},
                },
            ),
            STATUS_ONLY,
            {
                "IngressReady": (
                    "False",
                    "NotOwned",
                    'There is an existing ClusterIngress "r" that we do not own.',
                )
            },
        ),
        id="cluster-ingress-not-owned",
    ),
    pytest.param(
        Row(
            (simple_route(options=(with_annotations({HTTP_PROTOCOL: "Foo"}),)), cfg(), rev()),
            STATUS_ONLY,
            {
                "IngressReady": (
                    "False",
                    "ReconcileIngressFailed",
                    "incorrect http-protocol annotation: foo",
                )
            },
        ),
        id="bad-http-protocol-annotation",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (("update_status", "Route", "r"),),
            {"AllTrafficAssigned": missing_config().conditions["AllTrafficAssigned"]},
            then=delete(CONFIGURATION, "c"),
        ),
        id="a-target-disappears-ingress-left-untouched",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (("update_status", "Route", "r"),),
            {
                "IngressReady": ("True", None, None),
                "Ready": ("True", None, None),
            },
            then=lambda world: mark_ingress(world.store),
        ),
        id="ingress-ready-propagates",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (("update_status", "Route", "r"),),
            {
                "IngressReady": (
                    "False",
                    "ReconcileIngressFailed",
                    "Ingress reconciliation failed",
                ),
                "Ready": ("False", "ReconcileIngressFailed", "Ingress reconciliation failed"),
            },
            then=lambda world: mark_ingress(
                world.store,
                status=ConditionStatus.FALSE,
                reason="ReconcileIngressFailed",
                message="Ingress reconciliation failed",
            ),
        ),
        id="ingress-failure-propagates",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (("update_status", "Route", "r"),),
            {
                "IngressReady": (
                    "Unknown",
                    "Uninitialized",
                    "Waiting for load balancer to be ready",
                )
            },
            then=lambda world: mark_ingress(
                world.store,
                status=ConditionStatus.UNKNOWN,
                reason="Uninitialized",
                message="Waiting for load balancer to be ready",
            ),
        ),
        id="ingress-unknown-propagates",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (),
            {"IngressReady": NOT_CONFIGURED},
            then=set_status(
                Kind("networking.internal.knative.dev", "ClusterIngress"), "r", observed(1)
            ),
        ),
        id="ingress-without-ready-condition-is-not-configured",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (
                ("update", "ClusterIngress", "r"),
                ("update_status", "Route", "r"),
            ),
            {
                "IngressReady": NOT_CONFIGURED,
                "AllTrafficAssigned": ("True", None, None),
            },
            then=publish_second_revision,
        ),
        id="new-ingress-generation-is-not-configured-until-observed",
    ),
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            (("update_status", "Route", "r"),),
            {
                "IngressReady": (
                    "False",
                    "ReconcileIngressFailed",
                    'more than one ingress are specified in status(LoadBalancer) of Ingress "r"',
                )
            },
            then=lambda world: two_load_balancers(world.store),
        ),
        id="more-than-one-load-balancer",
    ),
]


@pytest.mark.parametrize("row", ROWS)
def test_route_reconcile(row: Row) -> None:
    run_row(row)
