"""The labeler, table-driven: Route records on Configurations and Revisions."""

from __future__ import annotations

import pytest

from kingress.cluster.port import ObjectRef
from kingress.serving import access
from kingress.serving.labeler import Labeler, routes_mapper
from tests.serving.builders import (
    config_of,
    configuration,
    revision_of,
    route,
    route_of,
    route_status_traffic,
    route_traffic,
    routed,
    service,
    to_config,
    to_revision,
    with_latest,
)
from tests.serving.tabletest import Row, reconcile_again, run

NS = "ns"
SVC = service(NS, "svc")
CFG = config_of(SVC, with_latest(created="svc-00001"))
REV1 = revision_of(CFG, 1)
OTHER = configuration(NS, "other", with_latest(created="other-00001"))
OTHER_REV = revision_of(OTHER, 1)
KEY = ObjectRef(access.ROUTE, NS, "svc")


ROWS = [
    Row(
        name="service-route-labels-its-configuration-and-latest-created-revision",
        key=KEY,
        objects=[route_of(SVC), CFG, REV1],
        want_updates=[revision_of(CFG, 1, routed("svc")), config_of(SVC, routed("svc"))],
    ),
    Row(
        name="pinned-revision-labels-the-revision-and-its-configuration",
        key=KEY,
        objects=[route(NS, "svc", route_traffic(to_revision("other-00001"))), OTHER, OTHER_REV],
        want_updates=[
            revision_of(OTHER, 1, routed("svc")),
            configuration(NS, "other", routed("svc")),
        ],
    ),
    Row(
        name="status-traffic-counts-too",
        key=KEY,
        objects=[
            route_of(SVC, route_status_traffic(to_revision("other-00001"))),
            CFG,
            REV1,
            OTHER,
            OTHER_REV,
        ],
        want_updates=[
            revision_of(OTHER, 1, routed("svc")),
            revision_of(CFG, 1, routed("svc")),
            configuration(NS, "other", routed("svc")),
            config_of(SVC, routed("svc")),
        ],
    ),
    Row(
        name="a-second-route-lists-both-and-drops-the-single-label",
        key=ObjectRef(access.ROUTE, NS, "b"),
        objects=[
            route(NS, "b", route_traffic(to_config("svc"))),
            config_of(SVC, with_latest(created="svc-00001"), routed("svc")),
            revision_of(CFG, 1, routed("svc")),
        ],
        want_updates=[
            revision_of(CFG, 1, routed("svc", "b")),
            config_of(SVC, routed("svc", "b")),
        ],
    ),
    Row(
        name="traffic-moving-away-removes-the-record",
        key=KEY,
        objects=[
            route(NS, "svc", route_traffic(to_config("other"))),
            config_of(SVC, routed("svc")),
            revision_of(CFG, 1, routed("svc")),
            OTHER,
            OTHER_REV,
        ],
        want_updates=[
            revision_of(OTHER, 1, routed("svc")),
            revision_of(CFG, 1),
            configuration(NS, "other", routed("svc")),
            config_of(SVC),
        ],
    ),
    Row(
        name="removing-one-of-two-routes-restores-the-single-label",
        key=ObjectRef(access.ROUTE, NS, "b"),
        objects=[config_of(SVC, routed("svc", "b"))],
        want_updates=[config_of(SVC, routed("svc"))],
    ),
    Row(
        name="deleted-route-is-cleared-everywhere",
        key=KEY,
        objects=[config_of(SVC, routed("svc")), revision_of(CFG, 1, routed("svc"))],
        want_updates=[revision_of(CFG, 1), config_of(SVC)],
    ),
    Row(
        name="already-recorded-writes-nothing",
        key=KEY,
        objects=[
            route_of(SVC),
            config_of(SVC, with_latest(created="svc-00001"), routed("svc")),
            revision_of(CFG, 1, routed("svc")),
        ],
    ),
    Row(
        name="missing-targets-are-skipped",
        key=KEY,
        objects=[route(NS, "svc", route_traffic(to_config("nope", 50), to_revision("gone", 50)))],
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_reconcile(row: Row) -> None:
    run(row, Labeler())


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_second_reconcile_writes_nothing(row: Row) -> None:
    outcome = run(row, Labeler())
    assert reconcile_again(outcome, row.key, Labeler()) == []


def test_changes_to_configurations_map_to_their_routes_and_service_route() -> None:
    recorded = config_of(SVC, routed("a", "b")).to_dict()
    assert list(routes_mapper(recorded)) == [
        ObjectRef(access.ROUTE, NS, name) for name in ("a", "b", "svc")
    ]
    assert list(routes_mapper(configuration(NS, "lonely").to_dict())) == []
