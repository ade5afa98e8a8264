"""The Service reconciler, table-driven: children, ownership, status propagation."""

from __future__ import annotations

import pytest

from kingress.api.annotations import (
    INGRESS_CLASS,
    INGRESS_CLASS_ALT,
    LAST_APPLIED,
    ROLLOUT_DURATION,
    ROUTE_LABEL,
    ROUTES_ANNOTATION,
    SERVICE_LABEL,
    V1ALPHA1_FORM_ANNOTATION,
)
from kingress.api.serving import TrafficTarget
from kingress.cluster.errors import ApiError
from kingress.cluster.recording import Verb
from kingress.serving.service import ServiceReconciler
from tests.serving.builders import (
    cond,
    conditions,
    config_of,
    configuration,
    owned_by,
    revision,
    revision_of,
    route,
    route_of,
    route_traffic,
    service,
    to_config,
    to_revision,
    with_annotations,
    with_conditions,
    with_env,
    with_generation,
    with_label_map,
    with_latest,
    with_observed_generation,
    with_template_name,
    with_traffic,
)
from tests.serving.service_expect import (
    CONFIG_OUT_OF_DATE,
    JUST_CREATED,
    KEY,
    NS,
    READY_CONFIG,
    READY_CONFIG_OUT_OF_DATE,
    READY_ROUTE,
    READY_STATUS,
    ROUTE_OUT_OF_DATE,
    SVC,
    name_taken,
    route_behind,
    service_status,
)
from tests.serving.tabletest import Row, reconcile_again, run

BLUE_SVC = service(NS, "svc", with_template_name("svc-blue"))
BLUE_CONFIG = config_of(
    BLUE_SVC,
    with_observed_generation(1),
    with_latest(created="svc-blue"),
    with_conditions(cond("Ready", "Unknown")),
)

ROWS = [
    Row(
        name="creates-configuration-and-route",
        key=KEY,
        objects=[SVC],
        want_creates=[config_of(SVC), route_of(SVC)],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="configuration-not-owned",
        key=KEY,
        objects=[SVC, configuration(NS, "svc")],
        want_status=service_status(
            observed_generation=1,
            conditions=conditions(
                cond(
                    "ConfigurationsReady",
                    "False",
                    "NotOwned",
                    'There is an existing Configuration "svc" that we do not own.',
                ),
                cond(
                    "Ready",
                    "False",
                    "NotOwned",
                    'There is an existing Configuration "svc" that we do not own.',
                ),
                cond("RoutesReady", "Unknown"),
            ),
        ),
    ),
    Row(
        name="route-not-owned",
        key=KEY,
        objects=[SVC, READY_CONFIG, route(NS, "svc", route_traffic(to_config("svc")))],
        want_status=service_status(
            observed_generation=1,
            latest_created_revision_name="svc-00001",
            latest_ready_revision_name="svc-00001",
            conditions=conditions(
                cond("ConfigurationsReady"),
                cond(
                    "Ready",
                    "False",
                    "NotOwned",
                    'There is an existing Route "svc" that we do not own.',
                ),
                cond(
                    "RoutesReady",
                    "False",
                    "NotOwned",
                    'There is an existing Route "svc" that we do not own.',
                ),
            ),
        ),
    ),
    Row(
        name="propagates-ready-children",
        key=KEY,
        objects=[SVC, READY_CONFIG, READY_ROUTE],
        want_status=[("Service", "svc", READY_STATUS.to_dict())],
    ),
    Row(
        name="steady-state-writes-nothing",
        key=KEY,
        objects=[SVC.model_copy(update={"status": READY_STATUS}), READY_CONFIG, READY_ROUTE],
    ),
    Row(
        name="route-traffic-not-yet-migrated",
        key=KEY,
        objects=[
            SVC,
            config_of(
                SVC,
                with_observed_generation(1),
                with_latest(created="svc-00002", ready="svc-00002"),
                with_conditions(cond("Ready")),
            ),
            READY_ROUTE,
        ],
        want_status=[
            (
                "Service",
                "svc",
                READY_STATUS.model_copy(
                    update={
                        "latest_created_revision_name": "svc-00002",
                        "latest_ready_revision_name": "svc-00002",
                        "conditions": conditions(
                            cond("ConfigurationsReady"),
                            cond(
                                "Ready",
                                "Unknown",
                                "TrafficNotMigrated",
                                "Traffic is not yet migrated to the latest revision.",
                            ),
                            cond(
                                "RoutesReady",
                                "Unknown",
                                "TrafficNotMigrated",
                                "Traffic is not yet migrated to the latest revision.",
                            ),
                        ),
                    }
                ).to_dict(),
            )
        ],
    ),
    Row(
        name="route-has-not-observed-its-generation",
        key=KEY,
        objects=[
            SVC,
            READY_CONFIG,
            READY_ROUTE.model_copy(
                update={"metadata": READY_ROUTE.metadata.model_copy(update={"generation": 2})}
            ),
        ],
        want_status=route_behind(1),
    ),
    Row(
        name="template-change-updates-configuration-keeping-labeler-records",
        key=KEY,
        objects=[
            service(NS, "svc", with_env("TARGET", "v2"), with_generation(2)),
            config_of(
                SVC,
                with_label_map({ROUTE_LABEL: "svc"}),
                with_annotations({ROUTES_ANNOTATION: "svc"}),
                with_observed_generation(1),
                with_latest(created="svc-00001", ready="svc-00001"),
                with_conditions(cond("Ready")),
            ),
            READY_ROUTE,
        ],
        want_updates=[
            config_of(
                service(NS, "svc", with_env("TARGET", "v2")),
                with_label_map({ROUTE_LABEL: "svc"}),
                with_annotations({ROUTES_ANNOTATION: "svc"}),
            )
        ],
        want_status=[
            (
                "Service",
                "svc",
                READY_STATUS.model_copy(
                    update={
                        "observed_generation": 2,
                        "latest_created_revision_name": "",
                        "latest_ready_revision_name": "",
                        "conditions": conditions(
                            CONFIG_OUT_OF_DATE,
                            READY_CONFIG_OUT_OF_DATE,
                            cond("RoutesReady"),
                        ),
                    }
                ).to_dict(),
            )
        ],
    ),
    Row(
        name="traffic-change-updates-route",
        key=KEY,
        objects=[
            service(
                NS,
                "svc",
                with_generation(2),
                with_traffic(
                    TrafficTarget(revision_name="svc-00001", percent=50),
                    TrafficTarget(latest_revision=True, percent=50, tag="next"),
                ),
            ),
            READY_CONFIG,
            READY_ROUTE,
        ],
        want_updates=[
            route_of(
                SVC,
                route_traffic(
                    to_revision("svc-00001", 50),
                    to_config("svc", 50, tag="next"),
                ),
            )
        ],
        want_status=route_behind(2),
    ),
    Row(
        name="annotations-and-labels-propagate",
        key=KEY,
        objects=[
            service(
                NS,
                "svc",
                with_label_map({"team": "blue"}),
                with_annotations(
                    {
                        INGRESS_CLASS: "contour.ingress.networking.knative.dev",
                        INGRESS_CLASS_ALT: "contour",
                        LAST_APPLIED: "{}",
                        ROLLOUT_DURATION: "60s",
                        V1ALPHA1_FORM_ANNOTATION: "runLatest",
                    }
                ),
            )
        ],
        want_creates=[
            config_of(
                SVC,
                with_label_map({"team": "blue", SERVICE_LABEL: "svc"}),
                with_annotations(
                    {
                        INGRESS_CLASS: "contour.ingress.networking.knative.dev",
                        INGRESS_CLASS_ALT: "contour",
                    }
                ),
            ),
            route_of(
                SVC,
                with_label_map({"team": "blue"}),
                with_annotations(
                    {
                        INGRESS_CLASS: "contour.ingress.networking.knative.dev",
                        INGRESS_CLASS_ALT: "contour",
                        ROLLOUT_DURATION: "60s",
                    }
                ),
            ),
        ],
        want_status=[("Service", "svc", JUST_CREATED)],
    ),
    Row(
        name="chosen-revision-name-waits-for-configuration",
        key=KEY,
        objects=[
            service(NS, "svc", with_template_name("svc-blue")),
            config_of(service(NS, "svc", with_template_name("svc-blue"))),
        ],
        want_status=service_status(
            observed_generation=1,
            conditions=conditions(
                CONFIG_OUT_OF_DATE,
                READY_CONFIG_OUT_OF_DATE,
                cond("RoutesReady", "Unknown"),
            ),
        ),
    ),
    Row(
        name="chosen-revision-name-taken",
        key=KEY,
        objects=[
            service(NS, "svc", with_template_name("svc-blue")),
            config_of(
                service(NS, "svc", with_template_name("svc-blue")),
                with_observed_generation(1),
                with_conditions(cond("Ready", "Unknown")),
            ),
            revision(NS, "svc-blue", owned_by(configuration(NS, "other"))),
        ],
        want_status=service_status(
            observed_generation=1,
            conditions=conditions(
                cond("ConfigurationsReady", "Unknown"),
                *name_taken("svc-blue"),
            ),
        ),
    ),
    Row(
        name="chosen-revision-name-held-by-our-own-revision-proceeds",
        key=KEY,
        objects=[
            BLUE_SVC,
            BLUE_CONFIG,
            revision_of(BLUE_CONFIG, 1),
        ],
        want_creates=[route_of(BLUE_SVC)],
        want_status=service_status(
            observed_generation=1,
            latest_created_revision_name="svc-blue",
            conditions=conditions(
                cond("ConfigurationsReady", "Unknown"),
                cond("Ready", "Unknown"),
                ROUTE_OUT_OF_DATE,
            ),
        ),
    ),
    Row(
        name="chosen-revision-name-held-for-another-generation-with-another-spec",
        key=KEY,
        objects=[
            BLUE_SVC,
            BLUE_CONFIG,
            revision_of(
                config_of(service(NS, "svc", with_template_name("svc-blue"), with_env("A", "b"))),
                7,
                owned_by(BLUE_CONFIG),
            ),
        ],
        want_status=service_status(
            observed_generation=1,
            latest_created_revision_name="svc-blue",
            conditions=conditions(
                cond("ConfigurationsReady", "Unknown"),
                *name_taken("svc-blue"),
            ),
        ),
    ),
    Row(
        name="configuration-create-fails",
        key=KEY,
        objects=[SVC],
        failures=[(Verb.CREATE, "Configuration")],
        want_err=ApiError,
        want_status=service_status(
            observed_generation=1,
            conditions=conditions(
                cond("ConfigurationsReady", "Unknown"),
                cond("Ready", "Unknown"),
                cond("RoutesReady", "Unknown"),
            ),
        ),
    ),
    Row(name="deleted-service-is-a-no-op", key=KEY, objects=[]),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_reconcile(row: Row) -> None:
    run(row, ServiceReconciler())


@pytest.mark.parametrize("row", [r for r in ROWS if r.want_err is None], ids=lambda r: r.name)
def test_second_reconcile_writes_nothing(row: Row) -> None:
    outcome = run(row, ServiceReconciler())
    assert reconcile_again(outcome, row.key, ServiceReconciler()) == []
