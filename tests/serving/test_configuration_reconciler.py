"""The Configuration reconciler, table-driven: one Revision per generation, latest ready."""

from __future__ import annotations

import pytest

from kingress.api.annotations import ROUTE_LABEL, ROUTES_ANNOTATION
from kingress.api.conditions import Condition
from kingress.api.meta import ObjectMeta
from kingress.api.serving import ConfigurationStatus, RevisionTemplateSpec
from kingress.cluster.errors import AlreadyExists, ApiError, Conflict, Invalid
from kingress.cluster.port import ObjectRef
from kingress.cluster.recording import Verb
from kingress.serving import access
from kingress.serving.configuration import ConfigurationReconciler
from tests.serving.builders import (
    cond,
    conditions,
    config_of,
    configuration,
    failed_revision,
    owned_by,
    ready_revision,
    revision,
    revision_of,
    service,
    with_annotations,
    with_conditions,
    with_config_env,
    with_generation,
    with_label_map,
    with_latest,
    with_observed_generation,
    with_template,
)
from tests.serving.tabletest import Row, reconcile_again, run

NS = "ns"
KEY = ObjectRef(access.CONFIGURATION, NS, "svc")
SVC = service(NS, "svc")
CFG = config_of(SVC)
CFG2 = config_of(
    SVC,
    with_config_env("v2"),
    with_generation(2),
    with_observed_generation(1),
    with_latest(created="svc-00001", ready="svc-00001"),
    with_conditions(cond("Ready")),
)
CFG3 = config_of(
    SVC,
    with_config_env("v3"),
    with_generation(3),
    with_observed_generation(2),
    with_latest(created="svc-00002", ready="svc-00001"),
    with_conditions(cond("Ready", "Unknown")),
)
REV1 = revision_of(CFG, 1)
REV2 = revision_of(CFG2, 2)
REV3 = revision_of(CFG3, 3)
BLUE_TEMPLATE = RevisionTemplateSpec(
    metadata=ObjectMeta(name="svc-blue"), spec=CFG.spec.template.spec
)
BLUE = config_of(SVC, with_template(BLUE_TEMPLATE))
FAILURE = 'ReplicaSet "svc-00002-deployment-1" has timed out progressing.'


def status(*conds: object, **fields: object) -> dict[str, object]:
    """A Configuration status in wire form."""
    return ConfigurationStatus.model_validate(
        {"conditions": conditions(*conds), **fields}  # type: ignore[arg-type]
    ).to_dict()


def svc_status(*conds: Condition, **fields: object) -> list[tuple[str, str, dict[str, object]]]:
    """The status write expected on the Configuration ``svc``."""
    return [("Configuration", "svc", status(*conds, **fields))]


def name_taken(name: str) -> Condition:
    """Ready=False because another object already holds the Revision name ``name``."""
    return cond(
        "Ready",
        "False",
        "RevisionFailed",
        "Revision creation failed with message: "
        f'revisions.serving.knative.dev "{name}" already exists.',
    )


ROWS = [
    Row(
        name="creates-the-first-revision",
        key=KEY,
        objects=[CFG],
        want_creates=[REV1],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=1,
            latest_created_revision_name="svc-00001",
        ),
    ),
    Row(
        name="ready-revision-becomes-latest-ready",
        key=KEY,
        objects=[CFG, ready_revision(REV1)],
        want_status=svc_status(
            cond("Ready"),
            observed_generation=1,
            latest_created_revision_name="svc-00001",
            latest_ready_revision_name="svc-00001",
        ),
    ),
    Row(
        name="new-generation-stamps-the-next-revision-and-keeps-the-last",
        key=KEY,
        objects=[CFG2, ready_revision(REV1)],
        want_creates=[REV2],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=2,
            latest_created_revision_name="svc-00002",
            latest_ready_revision_name="svc-00001",
        ),
    ),
    Row(
        name="failed-latest-revision-keeps-last-ready",
        key=KEY,
        objects=[
            CFG2,
            ready_revision(REV1),
            failed_revision("ProgressDeadlineExceeded", FAILURE)(REV2),
        ],
        want_status=svc_status(
            cond(
                "Ready",
                "False",
                "RevisionFailed",
                f'Revision "svc-00002" failed with message: {FAILURE}.',
            ),
            observed_generation=2,
            latest_created_revision_name="svc-00002",
            latest_ready_revision_name="svc-00001",
        ),
    ),
    Row(
        name="newest-ready-revision-wins",
        key=KEY,
        objects=[CFG3, ready_revision(REV1), ready_revision(REV2), REV3],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=3,
            latest_created_revision_name="svc-00003",
            latest_ready_revision_name="svc-00002",
        ),
    ),
    Row(
        name="chosen-name-is-used-and-found-by-label",
        key=KEY,
        objects=[BLUE],
        want_creates=[revision_of(BLUE, 1)],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=1,
            latest_created_revision_name="svc-blue",
        ),
    ),
    Row(
        name="chosen-name-ready",
        key=KEY,
        objects=[BLUE, ready_revision(revision_of(BLUE, 1))],
        want_status=svc_status(
            cond("Ready"),
            observed_generation=1,
            latest_created_revision_name="svc-blue",
            latest_ready_revision_name="svc-blue",
        ),
    ),
    Row(
        name="chosen-name-owned-by-another-configuration",
        key=KEY,
        objects=[BLUE, revision(NS, "svc-blue", owned_by(configuration(NS, "other")))],
        want_status=svc_status(
            name_taken("svc-blue"),
            observed_generation=1,
        ),
    ),
    Row(
        name="chosen-name-stamped-for-another-generation-with-another-spec",
        key=KEY,
        objects=[
            config_of(SVC, with_template(BLUE_TEMPLATE), with_config_env("v2"), with_generation(2)),
            revision_of(BLUE, 1),
        ],
        want_status=svc_status(
            name_taken("svc-blue"),
            observed_generation=2,
        ),
    ),
    Row(
        name="chosen-name-same-spec-another-generation-is-reused",
        key=KEY,
        objects=[
            config_of(SVC, with_template(BLUE_TEMPLATE), with_generation(2)),
            ready_revision(revision_of(BLUE, 1)),
        ],
        want_status=svc_status(
            cond("Ready"),
            observed_generation=2,
            latest_created_revision_name="svc-blue",
            latest_ready_revision_name="svc-blue",
        ),
    ),
    Row(
        name="foreign-revision-holding-the-generated-name",
        key=KEY,
        objects=[CFG, revision(NS, "svc-00001", owned_by(configuration(NS, "other")))],
        want_status=svc_status(
            name_taken("svc-00001"),
            observed_generation=1,
        ),
    ),
    Row(
        name="standalone-configuration-revision-has-no-service-label",
        key=KEY,
        objects=[configuration(NS, "svc")],
        want_creates=[revision_of(configuration(NS, "svc"), 1)],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=1,
            latest_created_revision_name="svc-00001",
        ),
    ),
    Row(
        name="route-records-propagate-to-the-new-revision",
        key=KEY,
        objects=[
            config_of(
                SVC,
                with_label_map({ROUTE_LABEL: "svc"}),
                with_annotations({ROUTES_ANNOTATION: "svc"}),
            )
        ],
        want_creates=[
            revision_of(
                CFG,
                1,
                with_label_map({ROUTE_LABEL: "svc"}),
                with_annotations({ROUTES_ANNOTATION: "svc"}),
            )
        ],
        want_status=svc_status(
            cond("Ready", "Unknown"),
            observed_generation=1,
            latest_created_revision_name="svc-00001",
        ),
    ),
    Row(
        name="revision-create-refused",
        key=KEY,
        objects=[CFG],
        failures=[(Verb.CREATE, "Revision")],
        failure=Invalid,
        want_err=Invalid,
        want_status=svc_status(
            cond(
                "Ready",
                "False",
                "RevisionFailed",
                "Revision creation failed with message: inducing failure for create Revision.",
            ),
            observed_generation=1,
        ),
    ),
    # A refusal that may pass is retried, not reported (Knative marks it RevisionFailed).
    Row(
        name="revision-create-conflict-is-retried-quietly",
        key=KEY,
        objects=[CFG],
        failures=[(Verb.CREATE, "Revision")],
        failure=Conflict,
        want_err=Conflict,
    ),
    Row(
        name="revision-create-server-error-is-retried-quietly",
        key=KEY,
        objects=[CFG],
        failures=[(Verb.CREATE, "Revision")],
        want_err=ApiError,
    ),
    # Created by an earlier attempt whose answer was lost, not yet visible: retried, not taken.
    Row(
        name="revision-exists-but-is-not-visible-yet",
        key=KEY,
        objects=[CFG],
        failures=[(Verb.CREATE, "Revision")],
        failure=AlreadyExists,
        want_err=Conflict,
    ),
    Row(name="deleted-configuration-is-a-no-op", key=KEY),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_reconcile(row: Row) -> None:
    run(row, ConfigurationReconciler())


@pytest.mark.parametrize("row", [r for r in ROWS if r.want_err is None], ids=lambda r: r.name)
def test_second_reconcile_writes_nothing(row: Row) -> None:
    outcome = run(row, ConfigurationReconciler())
    assert reconcile_again(outcome, row.key, ConfigurationReconciler()) == []
