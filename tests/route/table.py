"""The TableTest harness for the Route reconciler: rows, fixtures and the runner.

Each row seeds a store, optionally runs a first (unrecorded) reconcile and
changes the world (``then``), reconciles the Route once, and compares the
recorded writes (verb, kind, name) and the Route's conditions. Every row also
checks idempotence: a second reconcile writes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object
from kingress.route.lookups import CONFIGURATION
from tests.route.builders import (
    NS,
    World,
    conditions,
    config_target,
    configuration,
    latest_ready,
    mark_ingress,
    of_configuration,
    ready,
    revision,
    route,
    seed,
    with_traffic,
)

Expect = Mapping[str, tuple[str, str | None, str | None]]

#: 243 characters: "r.default.<it>" just fits in 253, "t-r.default.<it>" does not.
LONG_DOMAIN = ".".join(["a" * 60] * 4)
CREATED = (
    ("create", "ClusterIngress", "r"),
    ("create", "Service", "r"),
    ("update_status", "Route", "r"),
)
STATUS_ONLY = (("update_status", "Route", "r"),)
TLS_OFF = ("True", "TLSNotEnabled", "external-domain-tls is not enabled")
NOT_CONFIGURED = ("Unknown", "IngressNotConfigured", "Ingress has not yet been reconciled.")


def cfg(name: str = "c", rev: str = "c-00001") -> Object:
    return configuration(NS, name, latest_ready(rev))


def rev(name: str = "c-00001", config: str = "c", *options: Callable[[Object], None]) -> Object:
    return revision(NS, name, of_configuration(config), *(options or (ready,)))


def simple_route(
    *targets: dict[str, object], options: tuple[Callable[[Object], None], ...] = ()
) -> Object:
    return route(NS, "r", with_traffic(*(targets or (config_target("c", 100),))), *options)


def delete(kind: Kind, name: str) -> Callable[[World], None]:
    def apply(world: World) -> None:
        world.store.delete(kind, NS, name)

    return apply


def set_status(
    kind: Kind, name: str, *options: Callable[[Object], None]
) -> Callable[[World], None]:
    def apply(world: World) -> None:
        store = world.store
        obj = copy.deepcopy(store.get(kind, NS, name))
        obj["status"] = {}
        for option in options:
            option(obj)
        store.update_status(obj)

    return apply


@dataclass(frozen=True)
class Row:
    objects: tuple[Object, ...]
    want: tuple[tuple[str, str, str], ...]
    conditions: Expect = field(default_factory=dict)
    #: Run after a first, unrecorded reconcile (may reconcile again itself).
    then: Callable[[World], object] | None = None


def missing_config() -> Row:
    return Row(
        (simple_route(),),
        STATUS_ONLY,
        {
            "AllTrafficAssigned": (
                "False",
                "ConfigurationMissing",
                'Configuration "c" referenced in traffic not found.',
            ),
            "Ready": (
                "False",
                "ConfigurationMissing",
                'Configuration "c" referenced in traffic not found.',
            ),
            "IngressReady": NOT_CONFIGURED,
            "CertificateProvisioned": ("Unknown", None, None),
        },
    )


def publish_second_revision(world: World) -> None:
    """The ingress becomes ready and the Route sees it; then a new Revision is published."""
    mark_ingress(world.store)
    world.reconcile()
    seed(world.store, [rev("c-00002")])
    set_status(CONFIGURATION, "c", latest_ready("c-00002"))(world)


def two_load_balancers(store: MemoryCluster) -> None:
    mark_ingress(store, private={"ip": "10.0.0.1"})
    obj = copy.deepcopy(
        store.get(Kind("networking.internal.knative.dev", "ClusterIngress"), NS, "r")
    )
    obj["status"]["privateLoadBalancer"]["ingress"].append({"ip": "10.0.0.2"})
    store.update_status(obj)


def run_row(row: Row) -> None:
    """Seed, (reconcile and change the world), reconcile recorded, compare, reconcile again."""
    world = World()
    seed(world.store, row.objects)
    if row.then is not None:
        world.reconcile()
        row.then(world)
    world.reconcile()
    assert world.writes() == list(row.want)
    got = conditions(world.route())
    for type_, (status, reason, message) in row.conditions.items():
        assert got[type_][0] == status, f"{type_}: {got[type_]}"
        assert got[type_][1] == reason, f"{type_}: {got[type_]}"
        if message is not None:
            assert got[type_][2] == message, f"{type_}: {got[type_]}"
    assert world.route().status.observed_generation == 1
    world.reconcile()
    assert world.writes() == [], "a second reconcile must write nothing"
