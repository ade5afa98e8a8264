"""Scenario ``cold-start``: controllers (re)starting against N existing Routes until all are Ready.

The world is ``scale``'s (N Services on the Istio backend, settled), made by
settling one Service through the pipeline and stamping out renamed copies of
its objects (``benchmarks.world.stamp``: building 10,000 through the pipeline
would take minutes, and is what ``scale`` measures). Then
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

Both end by checking every Route is Ready. Each reports its wall time and
the process's CPU time (``cpu_seconds``: every thread; with the Manager that
includes the embedded API server's, which shares the process), since wall
time on a shared machine says little on its own.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.world import World, counting_registry, is_ready, stamp
from kingress.backends import resource_kinds
from kingress.cluster.kube import KubeCluster, load_api_client
from kingress.cluster.port import ObjectRef
from kingress.controller.reconciler import Context, Reconciler, Result, Watch
from kingress.controller.registry import Options, all_reconcilers, offline_reconcilers
from kingress.controller.settle import settle
from kingress.runtime.manager import Manager, ManagerOptions
from kingress.runtime.testing import running_apiserver
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


def ready_routes(world: World) -> int:
    """How many Routes are Ready."""
    return sum(is_ready(obj) for obj in world.store.list(access.ROUTE))


def offline(world: World) -> dict[str, Any]:
    """Fresh reconcilers settling the whole world once."""
    registry, _ = counting_registry()
    reconcilers = offline_reconcilers(backends=registry)
    before = world.store.resource_version
    started, cpu = time.perf_counter(), time.process_time()
    report = settle(world.store, reconcilers, world.clock)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
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
        cached_kinds=frozenset(k.group_kind for k in resource_kinds(counters[world.backend])),
    )
    with (
        tempfile.TemporaryDirectory() as directory,
        running_apiserver(Path(directory), world.store, backends=registry) as (_, kubeconfig),
    ):
        # After the server's own writes (its CRDs and namespaces): only the controllers' count.
        before = world.store.resource_version
        started, cpu = time.perf_counter(), time.process_time()
        # As ``kingress controller`` connects (its request timeout, not the tests' short one).
        api = KubeCluster(load_api_client(str(kubeconfig)))
        with Manager(api, reconcilers, options) as manager:
            deadline = started + timeout
            while not manager.synced() and time.perf_counter() < deadline:
                time.sleep(0.05)
            synced = time.perf_counter() - started
            while time.perf_counter() < deadline and (
                sum(r.count for r in reconcilers) < keys or len(manager.queue) > 0
            ):
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "caches_synced_seconds": synced,
        "keys": keys,
        "reconciles": sum(r.count for r in reconcilers),
        "writes": world.store.resource_version - before,
        "ready_routes": ready_routes(world),
        "timed_out": seconds >= timeout,
    }


def run(n: int, manager: bool, timeout: float = 300.0) -> dict[str, Any]:
    """Cold start against ``n`` Routes: offline, and with the runtime Manager if asked."""
    started = time.perf_counter()
    world = stamp(n, "istio")
    result: dict[str, Any] = {
        "n": n,
        "routes": len(world.store.list(access.ROUTE)),
        "world_seconds": time.perf_counter() - started,
    }
    result["offline"] = offline(world)
    if manager:
        result["manager"] = managed(world, timeout)
    return result
