"""Scenario ``cold-start``: controllers (re)starting against N existing Routes until all are Ready.

The world is ``scale``'s (N Services on the Istio backend, settled). Then
fresh controllers — empty trackers and indexes, as after a restart — are
started against it, two ways:

- ``offline``: ``settle`` with new reconcilers over the embedded store: every
  primary object reconciled once, from the first to the last;
- ``manager``: the controller runtime (``Manager``) against ``kingress
  apiserver`` serving that store, through the real Kubernetes client:
  informers list every kind over HTTP, every primary key is queued and
  reconciled by the workers. The backend's children (VirtualServices) are
  cached too (``ManagerOptions.cached_kinds``), as Knative's net-istio keeps
  an informer on them. Done when every key was reconciled and the queue is
  empty.

Both end by checking every Route is Ready.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.world import World, counting_registry, is_ready, service
from kingress.backends import resource_kinds
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.reconciler import Context, Reconciler, Result, Watch
from kingress.controller.registry import Options, all_reconcilers, offline_reconcilers
from kingress.controller.settle import settle
from kingress.runtime.manager import Manager, ManagerOptions
from kingress.runtime.testing import connect, running_apiserver
from kingress.serving import access


class Counted:
    """A reconciler that counts its reconciles (thread-safe), for knowing when a start is done."""

    def __init__(self, inner: Reconciler) -> None:
        self.inner = inner
        self.name = inner.name
        self.kind = inner.kind
        self.count = 0
        self.lock = threading.Lock()

    def watches(self) -> Sequence[Watch]:
        """The wrapped reconciler's watches."""
        return self.inner.watches()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Reconcile, then count."""
        try:
            return self.inner.reconcile(ctx, ref)
        finally:
            with self.lock:
                self.count += 1


def build(n: int) -> World:
    """N Services (two Revisions split 80/20, a tag) on the Istio backend, settled."""
    world = World("istio")
    for index in range(n):
        world.apply(service(index))
    world.settle()
    for index in range(n):
        world.apply(service(index, split=80))
    world.settle()
    return world


def ready_routes(world: World) -> int:
    """How many Routes are Ready."""
    return sum(is_ready(obj) for obj in world.store.list(access.ROUTE))


def offline(world: World) -> dict[str, Any]:
    """Fresh reconcilers settling the whole world once."""
    registry, _ = counting_registry()
    reconcilers = offline_reconcilers(backends=registry)
    before = world.store.resource_version
    started = time.perf_counter()
    report = settle(world.store, reconcilers, world.clock)
    return {
        "seconds": time.perf_counter() - started,
        "reconciles": report.reconciles,
        "writes": world.store.resource_version - before,
        "ready_routes": ready_routes(world),
    }


def managed(world: World, timeout: float) -> dict[str, Any]:
    """The runtime Manager against the embedded API server until every key was reconciled."""
    registry, counters = counting_registry()
    reconcilers = [Counted(r) for r in all_reconcilers(Options(backends=registry))]
    keys = sum(len(world.store.list(r.kind)) for r in reconcilers)
    options = ManagerOptions(
        leader_election=False,
        health_port=None,
        workers=2,
        cached_kinds=frozenset(
            Kind(k.api_version.rpartition("/")[0], k.kind)
            for k in resource_kinds(counters[world.backend])
        ),
    )
    before = world.store.resource_version
    with (
        tempfile.TemporaryDirectory() as directory,
        running_apiserver(Path(directory), world.store, backends=registry) as (_, kubeconfig),
    ):
        started = time.perf_counter()
        with Manager(connect(kubeconfig), reconcilers, options) as manager:
            deadline = started + timeout
            while not manager.synced() and time.perf_counter() < deadline:
                time.sleep(0.05)
            synced = time.perf_counter() - started
            while time.perf_counter() < deadline and (
                sum(r.count for r in reconcilers) < keys or len(manager.queue) > 0
            ):
                time.sleep(0.05)
            seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "caches_synced_seconds": synced,
        "keys": keys,
        "reconciles": sum(r.count for r in reconcilers),
        "writes": world.store.resource_version - before,
        "ready_routes": ready_routes(world),
        "timed_out": seconds >= timeout,
    }


def run(n: int, manager: bool, timeout: float = 300.0) -> dict[str, Any]:
    """Cold start against ``n`` Routes: offline, and with the runtime Manager if asked."""
    world = build(n)
    result: dict[str, Any] = {"n": n, "routes": len(world.store.list(access.ROUTE))}
    result["offline"] = offline(world)
    if manager:
        result["manager"] = managed(world, timeout)
    return result
