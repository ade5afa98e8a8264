"""The Service reconciler on the seed's v1alpha1 forms: runLatest, release, pinned, manual.

The Services are written as v1alpha1 and admitted through the real scheme, so
these rows also check what the conversion hands the controller.
"""

from __future__ import annotations

import pytest

from kingress.api.serving import ServiceStatus
from kingress.serving.service import ServiceReconciler
from tests.serving.builders import (
    alpha_configuration,
    alpha_service,
    cond,
    conditions,
    config_of,
    configuration,
    route,
    route_of,
    route_traffic,
    to_config,
    to_revision,
)
from tests.serving.service_expect import (
    ADDRESS,
    JUST_CREATED,
    KEY,
    MANUAL_MESSAGE,
    NS,
    SERVED,
    URL,
    service_status,
)
from tests.serving.tabletest import Row, reconcile_again, run

ALPHA_RELEASE = alpha_service(
    NS,
    "svc",
    {
        "release": {
            "revisions": ["svc-00001", "svc-00002"],
            "rolloutPercent": 10,
            "configuration": alpha_configuration(),
        }
    },
)
ALPHA_RELEASE_LATEST = alpha_service(
    NS,
    "svc",
    {
        "release": {
            "revisions": ["svc-00001", "@latest"],
            "rolloutPercent": 30,
            "configuration": alpha_configuration(),
        }
    },
)
ALPHA_PINNED = alpha_service(
    NS, "svc", {"pinned": {"revisionName": "svc-00001", "configuration": alpha_configuration()}}
)
ALPHA_MANUAL = alpha_service(NS, "svc", {"manual": {}})
ALPHA_RUN_LATEST = alpha_service(NS, "svc", {"runLatest": {"configuration": alpha_configuration()}})


ROWS = [
    Row(
        name="v1alpha1-runLatest-is-100-percent-latest",
        key=KEY,
        objects=[ALPHA_RUN_LATEST],
        want_creates=[
            config_of(ALPHA_RUN_LATEST),
            route_of(ALPHA_RUN_LATEST, route_traffic(to_config("svc"))),
        ],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="v1alpha1-release-current-and-candidate",
        key=KEY,
        objects=[ALPHA_RELEASE],
        want_creates=[
            config_of(ALPHA_RELEASE),
            route_of(
                ALPHA_RELEASE,
                route_traffic(
                    to_revision("svc-00001", 90, tag="current"),
                    to_revision("svc-00002", 10, tag="candidate"),
                    to_config("svc", None, tag="latest"),
                ),
            ),
        ],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="v1alpha1-release-at-latest-candidate",
        key=KEY,
        objects=[ALPHA_RELEASE_LATEST],
        want_creates=[
            config_of(ALPHA_RELEASE_LATEST),
            route_of(
                ALPHA_RELEASE_LATEST,
                route_traffic(
                    to_revision("svc-00001", 70, tag="current"),
                    to_config("svc", 30, tag="candidate"),
                    to_config("svc", None, tag="latest"),
                ),
            ),
        ],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="v1alpha1-pinned-sends-all-to-one-revision",
        key=KEY,
        objects=[ALPHA_PINNED],
        want_creates=[
            config_of(ALPHA_PINNED),
            route_of(ALPHA_PINNED, route_traffic(to_revision("svc-00001"))),
        ],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="v1alpha1-manual-manages-nothing",
        key=KEY,
        objects=[
            ALPHA_MANUAL.model_copy(
                update={"status": ServiceStatus(url=URL, address=ADDRESS, traffic=SERVED)}
            ),
            configuration(NS, "svc"),
            route(NS, "svc", route_traffic(to_config("svc"))),
        ],
        want_status=service_status(
            observed_generation=1,
            url=URL,
            address=ADDRESS,
            conditions=conditions(
                cond("ConfigurationsReady", "Unknown", "Manual", MANUAL_MESSAGE),
                cond("Ready", "Unknown", "Manual", MANUAL_MESSAGE),
                cond("RoutesReady", "Unknown", "Manual", MANUAL_MESSAGE),
            ),
        ),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_reconcile(row: Row) -> None:
    run(row, ServiceReconciler())


@pytest.mark.parametrize("row", [r for r in ROWS if r.want_err is None], ids=lambda r: r.name)
def test_second_reconcile_writes_nothing(row: Row) -> None:
    outcome = run(row, ServiceReconciler())
    assert reconcile_again(outcome, row.key, ServiceReconciler()) == []
