"""Building the benchmark's world: N Services, each with two Revisions split 80/20 and a tag.

Every Service goes the way a user takes it: created (Revision ``-00001``), then
updated with a new template and a traffic block sending 80% to ``-00001`` and
20% to the latest Revision under the tag ``candidate``. The controllers run
offline over the embedded store (``settle``), with the chosen backend as the
cluster's ingress class and a ``CountingBackend`` around every backend so
translations can be counted.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kingress.api.ingress import ClusterIngress
from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.backends import (
    Backend,
    BackendRegistry,
    Readiness,
    ResourceKind,
    TranslateContext,
    Translation,
    resource_kinds,
)
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object
from kingress.config.edit import update_config_map
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Reconciler
from kingress.controller.registry import offline_reconcilers
from kingress.controller.settle import SettleReport, settle
from kingress.frozen import thaw
from kingress.ingress.probe import compute_hash
from kingress.plugin.manager import build_registry
from kingress.route.reconciler import CLUSTER_INGRESS
from kingress.serving import access

NAMESPACE = "default"
START = datetime(2026, 1, 1, tzinfo=UTC)
BACKENDS = ("istio", "contour", "nginx", "ingress-nginx", "envoy")
TAG = "candidate"


def service_name(index: int) -> str:
    """The name of the ``index``-th Service."""
    return f"svc-{index:05d}"


def service(index: int, *, split: int | None = None, image: str = "example.com/app") -> Object:
    """Service ``index``: one Revision (``split=None``), or two split ``split``/rest with a tag."""
    name = service_name(index)
    generation = "1" if split is None else "2"
    spec: dict[str, Any] = {
        "template": {
            "spec": {"containers": [{"image": image, "env": [{"name": "V", "value": generation}]}]}
        }
    }
    if split is not None:
        spec["traffic"] = [
            {"revisionName": f"{name}-00001", "percent": split},
            {"latestRevision": True, "percent": 100 - split, "tag": TAG},
        ]
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": spec,
    }


class CountingBackend:
    """A backend that counts and times its ``translate`` calls (a ``Backend``)."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.ingress_classes = inner.ingress_classes
        self.features = inner.features
        self.resource_kinds: tuple[ResourceKind, ...] = resource_kinds(inner)
        self.calls = 0
        self.seconds = 0.0

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The wrapped translation, counted and timed."""
        started = time.perf_counter()
        try:
            return self.inner.translate(ingress, context)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - started

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[Object]) -> Readiness:
        """The wrapped readiness check."""
        return self.inner.check_ready(ingress, applied)


def counting_registry() -> tuple[BackendRegistry, dict[str, CountingBackend]]:
    """Every installed backend, wrapped in a ``CountingBackend``."""
    registry = BackendRegistry()
    counters: dict[str, CountingBackend] = {}
    for entry in build_registry().entries():
        counter = CountingBackend(entry.backend)
        counters[counter.name] = counter
        registry.add(counter, distribution=entry.distribution, version=entry.version)
    return registry, counters


@dataclass
class World:
    """An embedded store, the offline controllers and the backend counters."""

    backend: str
    store: MemoryCluster = field(default_factory=lambda: MemoryCluster(clock=lambda: START))
    clock: FakeClock = field(default_factory=lambda: FakeClock(START))
    scheme: Scheme = field(default_factory=default_scheme)
    reconcilers: list[Reconciler] = field(default_factory=list)
    counters: dict[str, CountingBackend] = field(default_factory=dict)

    def __post_init__(self) -> None:
        registry, self.counters = counting_registry()
        self.reconcilers = offline_reconcilers(backends=registry)
        update_config_map(
            self.store, "config-network", lambda d: {**d, "ingress-class": self.backend}
        )

    @property
    def counter(self) -> CountingBackend:
        """The counter of this world's backend."""
        return self.counters[self.backend]

    def settle(self) -> SettleReport:
        """Run the controllers until nothing changes."""
        return settle(self.store, self.reconcilers, self.clock)

    def settle_since(self, since: int) -> SettleReport:
        """Run the controllers over what changed after resourceVersion ``since`` only."""
        return settle(self.store, self.reconcilers, self.clock, since=since)

    def apply(self, manifest: Object) -> Object:
        """Admit a Service manifest and create it, or update the existing one."""
        admitted = self.scheme.admit(manifest)
        current = access.get(self.store, access.SERVICE, NAMESPACE, admitted["metadata"]["name"])
        if current is None:
            return self.store.create(admitted)
        return self.store.update({**admitted, "metadata": current["metadata"]})

    def objects(self) -> list[Object]:
        """Every object in the store."""
        return [obj for kind in self.store.kinds() for obj in self.store.list(kind)]

    def count_by_kind(self) -> dict[str, int]:
        """How many objects of each kind the store holds."""
        return {str(kind): len(self.store.list(kind)) for kind in self.store.kinds()}

    def ready_services(self) -> int:
        """How many Services are Ready."""
        return sum(is_ready(obj) for obj in self.store.list(access.SERVICE, NAMESPACE))


def is_ready(obj: Object) -> bool:
    """Whether an object's ``Ready`` condition is True."""
    conditions = (obj.get("status") or {}).get("conditions") or ()
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def build(n: int, backend: str, before: Callable[[World], None] | None = None) -> World:
    """N Services (two Revisions split 80/20, a tag) on ``backend``, settled, through the
    pipeline: created, settled, updated, settled. ``before`` runs on the empty world first."""
    world = World(backend)
    if before is not None:
        before(world)
    for index in range(n):
        world.apply(service(index))
    world.settle()
    for index in range(n):
        world.apply(service(index, split=80))
    world.settle()
    return world


def _substitute(pattern: re.Pattern[str], words: dict[str, str], text: str) -> str:
    return pattern.sub(lambda match: words[match[0]], text)


def stamp(n: int, backend: str, before: Callable[[World], None] | None = None) -> World:
    """The world ``build(n, backend, before)`` makes, made cheaply: one Service settled,
    then copied.

    Service ``svc-00000`` goes through the pipeline (both generations,
    settled, as in ``build``); its settled object graph — every object that
    names it, including any ``before`` created for it — is then copied for
    Services 1 … n-1: the name replaced everywhere (names, labels, hosts,
    owner references), every uid replaced by a fresh one (consistently, so
    owner references point at the copies), and the probe hash recomputed for
    the renamed ClusterIngress (and replaced wherever it appears, as in a
    backend's objects). Copies are stored with ``restore`` (uids, generations
    and status as given; new resourceVersions).
    ``tests/benchmarks/test_stamped_world.py`` checks that for small n this is
    the world the pipeline builds, up to uids and resourceVersions, and that
    fresh controllers find nothing to change in it.
    """
    world = build(1, backend, before)
    template = service_name(0)
    graph = [obj for obj in world.objects() if template in json.dumps(obj)]
    (ingress,) = (obj for obj in graph if Kind.of(obj) == CLUSTER_INGRESS)
    text = json.dumps([thaw(obj) for obj in graph])
    ingress_text = json.dumps(thaw(ingress))
    old_hash = compute_hash(ClusterIngress.from_dict(ingress))
    uids = [obj["metadata"]["uid"] for obj in graph]
    pattern = re.compile("|".join(re.escape(word) for word in (template, old_hash, *uids)))
    for index in range(1, n):
        words = {template: service_name(index), **{uid: str(uuid.uuid4()) for uid in uids}}
        renamed = json.loads(_substitute(pattern, words, ingress_text))
        words[old_hash] = compute_hash(ClusterIngress.from_dict(renamed))
        for obj in json.loads(_substitute(pattern, words, text)):
            world.store.restore(obj)
    return world
