"""Route reconcile rows about traffic: every AllTrafficAssigned reason, domains, configuration."""

from __future__ import annotations

import copy

import pytest

from kingress.route.lookups import REVISION
from kingress.route.reconciler import ROUTE
from tests.route.builders import (
    NS,
    World,
    config_map,
    config_target,
    configuration,
    failed,
    latest_target,
    not_ready,
    owned_by_service,
    ready,
    revision_target,
    route,
    seed,
    with_traffic,
)
from tests.route.table import (
    CREATED,
    LONG_DOMAIN,
    NOT_CONFIGURED,
    STATUS_ONLY,
    TLS_OFF,
    Row,
    cfg,
    missing_config,
    rev,
    run_row,
    simple_route,
)

ROWS = [
    pytest.param(
        Row(
            (simple_route(), cfg(), rev()),
            CREATED,
            {
                "AllTrafficAssigned": ("True", None, None),
                "IngressReady": NOT_CONFIGURED,
                "CertificateProvisioned": TLS_OFF,
                "Ready": NOT_CONFIGURED,
            },
        ),
        id="first-reconcile-creates-ingress-and-placeholder",
    ),
    pytest.param(missing_config(), id="configuration-missing"),
    pytest.param(
        Row(
            (simple_route(revision_target("r1", 100)),),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "RevisionMissing",
                    'Revision "r1" referenced in traffic not found.',
                )
            },
        ),
        id="revision-missing",
    ),
    pytest.param(
        Row(
            (simple_route(), configuration(NS, "c", not_ready)),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "Unknown",
                    "RevisionMissing",
                    'Configuration "c" is waiting for a Revision to become ready.',
                )
            },
        ),
        id="configuration-waiting-for-a-revision",
    ),
    pytest.param(
        Row(
            (simple_route(), configuration(NS, "c", failed)),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "RevisionMissing",
                    'Configuration "c" does not have any ready Revision.',
                )
            },
        ),
        id="configuration-failed",
    ),
    pytest.param(
        Row(
            (simple_route(revision_target("r1", 100)), cfg(), rev("r1", "c", not_ready)),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "Unknown",
                    "RevisionMissing",
                    'Revision "r1" is not yet ready.',
                )
            },
        ),
        id="revision-not-ready",
    ),
    pytest.param(
        Row(
            (simple_route(revision_target("r1", 100)), cfg(), rev("r1", "c", failed)),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "RevisionMissing",
                    'Revision "r1" failed to become ready.',
                )
            },
        ),
        id="revision-failed",
    ),
    pytest.param(
        Row(
            (
                simple_route(revision_target("r1", 50), revision_target("r2", 50)),
                cfg(),
                rev("r1", "c", not_ready),
                rev("r2", "c", not_ready),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "Unknown",
                    "RevisionMissing",
                    'Revision "r1" is not yet ready.',
                )
            },
        ),
        id="first-not-ready-target-is-reported",
    ),
    pytest.param(
        Row(
            (
                simple_route(revision_target("r1", 50), config_target("gone", 50)),
                cfg(),
                rev("r1", "c", not_ready),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "ConfigurationMissing",
                    'Configuration "gone" referenced in traffic not found.',
                )
            },
        ),
        id="a-failure-wins-over-not-ready",
    ),
    pytest.param(
        Row(
            (simple_route(revision_target("r1", 100)), rev("r1", "gone")),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "ConfigurationMissing",
                    'Configuration "gone" referenced in traffic not found.',
                )
            },
        ),
        id="revision-of-a-missing-configuration",
    ),
    pytest.param(
        Row(
            (
                route(NS, "r", owned_by_service("s"), with_traffic(revision_target("r1", 100))),
                cfg("s", "r1"),
                rev("r1", "s"),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "RevisionNotOwned",
                    'Revision "r1" does not belong to Service "s".',
                )
            },
        ),
        id="revision-not-owned-unlabelled",
    ),
    pytest.param(
        Row(
            (
                route(NS, "r", owned_by_service("s"), with_traffic(revision_target("r1", 100))),
                cfg("other", "r1"),
                rev("r1", "other", ready, owned_by_service("other")),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "RevisionNotOwned",
                    'Revision "r1" belongs to Service "other", not Service "s".',
                )
            },
        ),
        id="revision-not-owned-other-service",
    ),
    pytest.param(
        Row(
            (
                route(NS, "r", owned_by_service("s"), with_traffic(latest_target(100))),
                cfg("s", "s-00001"),
                rev("s-00001", "s", ready, owned_by_service("s")),
            ),
            CREATED,
            {"AllTrafficAssigned": ("True", None, None)},
        ),
        id="service-route-latest-revision-uses-the-service-configuration",
    ),
    pytest.param(
        Row(
            (
                route(NS, "r", owned_by_service("s"), with_traffic(revision_target("r1", 100))),
                cfg("s", "r1"),
                rev("r1", "s", ready, owned_by_service("s")),
            ),
            CREATED,
            {"AllTrafficAssigned": ("True", None, None)},
        ),
        id="revision-of-the-owning-service",
    ),
    pytest.param(
        Row(
            (
                simple_route(config_target("c", 100), revision_target("c-00001", 0, tag="t")),
                cfg(),
                rev(),
                config_map("config-domain", {LONG_DOMAIN: ""}),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "ErrorConfig",
                    f'invalid domain name "t-r.default.{LONG_DOMAIN}": url: Invalid value: '
                    f'"t-r.default.{LONG_DOMAIN}": must be no more than 253 characters',
                )
            },
        ),
        id="tag-domain-too-long",
    ),
    pytest.param(
        Row(
            (simple_route(latest_target(100)),),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "Unknown",
                    "Unknown",
                    "a traffic target needs a revisionName or a configurationName "
                    "(latestRevision alone works only on a Route a Service owns)",
                )
            },
        ),
        id="standalone-latest-revision-without-configuration",
    ),
    pytest.param(
        Row(
            (
                simple_route(),
                cfg(),
                rev(),
                config_map(
                    "config-network", {"domain-template": "{{.Name}}_{{.Namespace}}.{{.Domain}}"}
                ),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "ErrorConfig",
                    'invalid domain name "r_default.example.com": url: Invalid value: '
                    '"r_default.example.com": a lowercase RFC 1123 subdomain must consist of lower '
                    "case alphanumeric characters, '-' or '.', and must start and end with an "
                    "alphanumeric character (e.g. 'example.com', regex used for validation is "
                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                )
            },
        ),
        id="domain-template-yields-an-invalid-host",
    ),
    pytest.param(
        Row(
            (
                simple_route(config_target("c", 100, tag="Beta")),
                cfg(),
                rev(),
                config_map("config-network", {"tag-template": "{{.Tag}}.{{.Name}}"}),
            ),
            STATUS_ONLY,
            {"AllTrafficAssigned": ("False", "ErrorConfig", None)},
        ),
        id="tag-template-yields-an-invalid-service-name",
    ),
    pytest.param(
        Row(
            (
                simple_route(),
                cfg(),
                rev(),
                config_map("config-network", {"http-protocol": "bogus"}),
            ),
            STATUS_ONLY,
            {
                "AllTrafficAssigned": (
                    "False",
                    "ErrorConfig",
                    "config-network: http-protocol: httpProtocol bogus in config-network "
                    "ConfigMap is not supported",
                )
            },
        ),
        id="bad-config-map",
    ),
]


@pytest.mark.parametrize("row", ROWS)
def test_route_reconcile(row: Row) -> None:
    run_row(row)


def test_missing_route_writes_nothing() -> None:
    world = World()
    world.reconcile("nope")
    assert world.writes() == []


def test_route_being_deleted_is_left_alone() -> None:
    world = World()
    seed(world.store, [simple_route(), cfg(), rev()])
    stored = copy.deepcopy(world.store.get(ROUTE, NS, "r"))
    stored["metadata"]["finalizers"] = ["test/hold"]
    world.store.update(stored)
    world.store.delete(ROUTE, NS, "r")
    world.reconcile()
    assert world.writes() == []


def test_revision_kind_is_tracked_for_missing_targets() -> None:
    world = World()
    seed(world.store, [simple_route(revision_target("r1", 100))])
    world.reconcile()
    readers = world.reconciler._references.readers(rev("r1"))
    assert [ref.name for ref in readers] == ["r"]
    assert REVISION.kind == "Revision"
